// `node services/item/dist/migrate.js` (same environment as the service): applies the migrations and exits. The Helm
// chart runs it as each pod's init container (docs/scaling.md, "Running on Kubernetes").
import { migrateAndExit } from '@boxoffice/db';
import { ITEM_MIGRATIONS } from './app';
import { readConfig } from './config';

void migrateAndExit('item', () => readConfig().DATABASE_URL, ITEM_MIGRATIONS);
