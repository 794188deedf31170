// Counts MQ command executions as they reach the disk. A wipe command's transaction records its
// message_id by assigning a new processedMessageIds list (mq-command.ts, executeWipe); a duplicate is
// refused inside the transaction before that. So a committed transaction whose draft got a new list is
// one execution, of the id it appended last. Nothing else in the device writes that list.
import { Store } from '../../reference-device/store.ts';

export interface ExecutionCounter {
  /** message_id → how many times a transaction executing it was committed. */
  readonly executions: Map<string, number>;
  /** Puts Store.prototype.commit back. */
  uninstall(): void;
}

/** Wraps every store's commit (process-wide) until `uninstall`. One counter at a time. */
export function countExecutions(): ExecutionCounter {
  const executions = new Map<string, number>();
  const original = Store.prototype.commit;
  Store.prototype.commit = function commit<T>(
    this: Store,
    change: Parameters<Store['commit']>[0],
    options?: Parameters<Store['commit']>[1],
  ): Promise<T> {
    let executed: string | undefined;
    const counted = (draft: Parameters<typeof change>[0]) => {
      const before = draft.processedMessageIds;
      const result = change(draft);
      if (draft.processedMessageIds !== before) executed = draft.processedMessageIds.at(-1);
      return result;
    };
    return original.call(this, counted, options).then((result) => {
      if (executed !== undefined) executions.set(executed, (executions.get(executed) ?? 0) + 1);
      return result as T;
    });
  } as Store['commit'];
  return {
    executions,
    uninstall: () => {
      Store.prototype.commit = original;
    },
  };
}
