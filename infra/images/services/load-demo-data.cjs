// The compose file's `demo` profile runs this once per service that has demo data (user, item, ticket): it builds
// the service's app with DEMO_DATA on, which migrates and loads the demo rows (and their outbox events) when the
// tables are empty, exactly as a first `npm start` does; then it closes. The running service is not restarted.
const service = process.env.SERVICE;
const { buildApp } = require(`./services/${service}/dist/app.js`);
const { readConfig } = require(`./services/${service}/dist/config.js`);

async function main() {
  const app = await buildApp(readConfig({ ...process.env, DEMO_DATA: 'true' }));
  await app.ready();
  await app.close();
  console.log(`${service}: demo data loaded (or already there)`);
}

main().catch((error) => {
  console.error(`${service}: demo data not loaded: ${error.stack ?? error}`);
  process.exit(1);
});
