/**
 * The native-protocol subcommands of `tributary` (produce, consume, admin) as a table the main
 * dispatcher looks up. A failure prints `tributary: <message>` and exits 1 (2 for bad usage).
 */
import { ADMIN_USAGE, adminCommand } from './admin';
import { CLUSTER_ADMIN_USAGE, clusterAdminCommand, isClusterAdmin } from './admin-cluster';
import { CONSUME_USAGE, consumeCommand } from './consume';
import { PRODUCE_USAGE, produceCommand } from './produce';

export const NATIVE_USAGE = `  ${PRODUCE_USAGE}\n  ${CONSUME_USAGE}\n  ${ADMIN_USAGE}\n  ${CLUSTER_ADMIN_USAGE}`;

function guarded(command: (args: string[]) => Promise<number>): (args: string[]) => Promise<number> {
  return async (args) => {
    try {
      return await command(args);
    } catch (err) {
      const message = (err as Error).message ?? String(err);
      process.stderr.write(`tributary: ${message}\n`);
      return /^usage:|argument|must be|Unknown option|Unexpected argument/im.test(message) ? 2 : 1;
    }
  };
}

export const NATIVE_COMMANDS: Record<string, (args: string[]) => Promise<number>> = {
  produce: guarded(produceCommand),
  consume: guarded(consumeCommand),
  // --etcd selects the cluster commands (admin-cluster.ts); otherwise the native-protocol ones.
  admin: guarded((args) => (isClusterAdmin(args) ? clusterAdminCommand(args) : adminCommand(args))),
};
