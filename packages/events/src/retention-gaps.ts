import type { Admin } from 'kafkajs';

/** A partition whose events between `from` and `earliest` were deleted by retention before the group read them. */
export interface RetentionGap {
  topic: string;
  partition: number;
  /** Where the group would start: its committed offset, or 0 when it has none (a new group). */
  from: number;
  /** The earliest offset the broker still holds. */
  earliest: number;
}

/**
 * The partitions on which a consumer group would start below the earliest offset the broker still holds: what lay in
 * between is gone, so a replica built from the topic alone would silently lack it.
 */
export async function findRetentionGaps(admin: Admin, groupId: string, topics: string[]): Promise<RetentionGap[]> {
  const gaps: RetentionGap[] = [];
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    for (const { partition, low } of offsets) {
      const at = Number(committed?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
      const from = Math.max(0, at);
      if (Number(low) > from) gaps.push({ topic, partition, from, earliest: Number(low) });
    }
  }
  return gaps;
}
