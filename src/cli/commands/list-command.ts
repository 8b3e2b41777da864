import type { Command } from 'commander';
import { MnemoError } from '../../shared/index.js';
import type { TopicStatus, TopicType } from '../../store/index.js';
import { TOPIC_STATUS_CHOICES as TOPIC_STATUSES, TOPIC_TYPE_CHOICES as TOPIC_TYPES } from '../flag-choices.js';
import { rootOptions, withMemory, type CommandContext, type RootOptions } from '../command-context.js';
import { formatTable } from '../output.js';

export function registerList(program: Command, context: CommandContext): void {
  rootOptions(program.command('list'))
    .description('list topics with type, status and description')
    .option('--type <type>', `only this type (${TOPIC_TYPES.join(', ')})`)
    .option('--status <status>', `only this status (${TOPIC_STATUSES.join(', ')})`)
    .option('--json', 'print the topics as JSON')
    .action(async (options: RootOptions & { type?: string; status?: string; json?: boolean }) => {
      if (options.type !== undefined && !(TOPIC_TYPES as readonly string[]).includes(options.type)) {
        throw new MnemoError('usage', `--type ${options.type} is not a topic type.`, { hint: `Use one of ${TOPIC_TYPES.join(', ')}.` });
      }
      if (options.status !== undefined && !(TOPIC_STATUSES as readonly string[]).includes(options.status)) {
        throw new MnemoError('usage', `--status ${options.status} is not a status.`, { hint: `Use one of ${TOPIC_STATUSES.join(', ')}.` });
      }
      await withMemory(context, options, async (memory) => {
        const topics = await memory.list({
          ...(options.type === undefined ? {} : { type: options.type as TopicType }),
          ...(options.status === undefined ? {} : { status: options.status as TopicStatus }),
        });
        if (options.json) return context.out.json(topics);
        if (topics.length === 0) {
          context.out.note('No topics.');
          return;
        }
        const rows = topics.map((topic) =>
          topic.readable ? [topic.slug, topic.type, topic.status, topic.description] : [topic.slug, '?', 'unreadable', topic.error],
        );
        for (const line of formatTable([['SLUG', 'TYPE', 'STATUS', 'DESCRIPTION'], ...rows])) context.out.line(line);
      });
    });
}
