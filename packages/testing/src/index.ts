export * from './infra';
export * from './wait';
export * from './event-recorder';
export * from './kafka-broker';
export * from './service-process';
export * from './stack';
export * from './peer-publisher';
export * from './plugin-host';
