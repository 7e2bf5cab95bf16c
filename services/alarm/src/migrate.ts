// `node services/alarm/dist/migrate.js` (same environment as the service): applies the migrations and exits. The Helm
// chart runs it as each pod's init container (docs/scaling.md, "Running on Kubernetes").
import { migrateAndExit } from '@boxoffice/db';
import { ALARM_MIGRATIONS } from './app';
import { readConfig } from './config';

void migrateAndExit('alarm', () => readConfig().DATABASE_URL, ALARM_MIGRATIONS);
