// `node services/ticket/dist/migrate.js` (same environment as the service): applies the migrations and exits. The Helm
// chart runs it as each pod's init container (docs/scaling.md, "Running on Kubernetes").
import { migrateAndExit } from '@boxoffice/db';
import { TICKET_MIGRATIONS } from './app';
import { readConfig } from './config';

void migrateAndExit('ticket', () => readConfig().DATABASE_URL, TICKET_MIGRATIONS);
