import type { ContainerInfra } from './containers';
import { CONTAINER_INFRA } from './global-setup';

/** Stops the containers TEST_INFRA=containers started (nothing to do with the native infrastructure). */
export default async function globalTeardown(): Promise<void> {
  const containers = (globalThis as Record<symbol, unknown>)[CONTAINER_INFRA] as ContainerInfra | undefined;
  await containers?.stop();
}
