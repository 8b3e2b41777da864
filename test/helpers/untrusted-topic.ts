import { expect } from 'vitest';
import type { Memory } from '../../src/index.js';

/**
 * Write a topic that came from a web page the only way one can: staged in a task from an untrusted
 * source and promoted by the task's confirmed outcome. It stays untrusted (its provenance is kept).
 */
export async function promoteWebTopic(
  memory: Memory,
  topic: { name: string; description: string; body: string; origin: string },
): Promise<void> {
  const task = await memory.beginTask({ goal: `note ${topic.name.toLowerCase()}` });
  await task.note({
    name: topic.name,
    description: topic.description,
    type: 'reference',
    body: topic.body,
    source: { kind: 'web', origin: topic.origin },
  });
  expect((await task.complete({ confirmed: true })).outcome).toBe('promoted');
}
