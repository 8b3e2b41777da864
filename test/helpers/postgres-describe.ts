import { afterAll, beforeAll, describe } from 'vitest';
import { hasPostgres, noPostgresReason, startPostgresCluster, type PostgresCluster } from './postgres-cluster.js';

/**
 * A `describe` whose tests share one throwaway cluster (started before them, stopped after), or
 * skipped with the reason when the server binaries are missing. `cluster()` gives the cluster.
 */
export function describeWithPostgres(title: string, body: (cluster: () => PostgresCluster) => void): void {
  describe.skipIf(!hasPostgres)(`${title}${hasPostgres ? '' : ` (skipped: ${noPostgresReason})`}`, () => {
    let started: PostgresCluster | undefined;
    beforeAll(async () => {
      started = await startPostgresCluster();
    }, 180_000);
    afterAll(async () => {
      await started?.stop();
    });
    body(() => {
      if (!started) throw new Error('the throwaway PostgreSQL cluster did not start');
      return started;
    });
  });
}
