export * from './boot-service';
export * from './background-job';
