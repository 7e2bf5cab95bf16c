#!/usr/bin/env node
// `npm run docs:api`: starts the whole stack (fresh databases, free ports), takes the gateway's merged OpenAPI
// document, and writes docs/openapi.json and docs/api.md (one line per public operation). Needs a build.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { startStack } = await import(path.join(ROOT, 'packages/testing/dist/index.js'));

const stack = await startStack();
try {
  const document = await (await fetch(`${stack.gatewayUrl}/openapi.json`)).json();
  if (document.info.description.includes('Not included')) throw new Error(document.info.description);
  writeFileSync(path.join(ROOT, 'docs/openapi.json'), `${JSON.stringify(document, null, 2)}\n`);

  const credentialOf = (operation) => {
    const kinds = (operation.security ?? []).flatMap((entry) => Object.keys(entry));
    if (kinds.length === 0) return 'none';
    return kinds.map((kind) => ({ userToken: '`USER-TOKEN`', queueToken: 'queue JWT' })[kind] ?? kind).join(' or ');
  };
  const rows = [];
  for (const [route, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      rows.push(
        `| ${operation.tags?.[0] ?? ''} | \`${method.toUpperCase()} ${route}\` | ${credentialOf(operation)} | ${(operation.summary ?? '').replace(/\|/g, '\\|')} |`,
      );
    }
  }
  const markdown = `# Public API

Every operation the gateway (port 8080) routes, generated from the services' own OpenAPI documents by
\`npm run docs:api\`. The full document with request and response schemas is [openapi.json](openapi.json); a
running stack serves it browsable at http://127.0.0.1:8080/docs. Errors always use the SPEC §0 body
(\`{"errors": {"code", "message", "detail"}}\`).

| service | operation | credential | what it does |
| --- | --- | --- | --- |
${rows.join('\n')}
`;
  writeFileSync(path.join(ROOT, 'docs/api.md'), markdown);
  console.log(`docs/api.md: ${rows.length} operations`);
} finally {
  await stack.stop();
}
