/**
 * Topic ids on the wire. The registry keeps canonical UUID strings; Kafka's all-zero UUID
 * means "no id" (Uuid.ZERO_UUID).
 */
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export function topicIdOrZero(topicId: string | undefined): string {
  return topicId ?? ZERO_UUID;
}
