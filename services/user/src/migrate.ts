// `node services/user/dist/migrate.js` (same environment as the service): applies the migrations and exits. The Helm
// chart runs it as each pod's init container (docs/scaling.md, "Running on Kubernetes").
import { migrateAndExit } from '@boxoffice/db';
import { USER_MIGRATIONS } from './app';
import { readConfig } from './config';

void migrateAndExit('user', () => readConfig().DATABASE_URL, USER_MIGRATIONS);
