import './tracing'; // first: see tracing.ts
import { serve } from '@boxoffice/http';
import { buildApp } from './app';
import { readConfig } from './config';

void serve('payment', async () => {
  const config = readConfig();
  return { app: await buildApp(config), host: config.HOST, port: config.PORT };
});
