import type { AlarmState, Caller } from './item';

/** Where the caller's alarms can come from: the local replica, or the alarm service itself. */
export interface AlarmSources {
  /** The replica has held everything the alarm service published at least once (not a cold start). */
  replicaComplete(): boolean;
  /** Alarm events are flowing right now (Kafka reachable, consumer in its group). */
  replicaLive(): boolean;
  fromReplica(userId: number): Promise<Set<number>>;
  fromOwner(caller: Caller): Promise<{ itemIds: Set<number>; stale: boolean }>;
}

/**
 * The replica answers whenever it is complete: the alarm service being down changes nothing, since no alarm
 * can change meanwhile. Only while it is cold is the alarm service asked (through its breaker and cache);
 * when that fails too, the replica's partial answer is given and marked stale. A complete replica is stale
 * only while its events are not flowing (Kafka down): alarms set meanwhile are not in it yet.
 */
export async function alarmStateFor(sources: AlarmSources, caller: Caller): Promise<AlarmState> {
  if (sources.replicaComplete())
    return { itemIds: await sources.fromReplica(caller.id), stale: !sources.replicaLive() };
  try {
    return await sources.fromOwner(caller);
  } catch {
    return { itemIds: await sources.fromReplica(caller.id), stale: true };
  }
}
