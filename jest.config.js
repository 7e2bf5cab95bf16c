// One jest run for the whole repository. TypeScript is compiled by SWC on the fly, and @boxoffice/* packages
// resolve to their sources, so tests never depend on a stale build.
const path = require('node:path');
const fs = require('node:fs');

const packageDirs = fs.readdirSync(path.join(__dirname, 'packages'));
const moduleNameMapper = Object.fromEntries(
  packageDirs.map((dir) => [`^@boxoffice/${dir}$`, `<rootDir>/packages/${dir}/src/index.ts`]),
);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/services', '<rootDir>/web', '<rootDir>/test'].filter((p) =>
    fs.existsSync(p.replace('<rootDir>', __dirname)),
  ),
  testMatch: ['**/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }] },
  moduleNameMapper,
  globalSetup: '<rootDir>/packages/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/packages/testing/src/global-teardown.ts',
  // The compose test builds images and runs the whole stack in containers: `npm run test:containers` runs it.
  testPathIgnorePatterns:
    process.env.TEST_INFRA === 'containers' ? ['/node_modules/'] : ['/node_modules/', '\\.containers\\.test\\.ts$'],
  testTimeout: 60_000,
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 2,
};
