import type { LocomoRetrieverName } from '../evaluation/index.js';
import type { TranscriptFormat } from '../importers/index.js';
import type { SourceKind, TopicStatus, TopicType } from '../store/index.js';

/*
 * The choices of CLI flags, spelled out here so that registering the commands (and `--help`)
 * loads none of the library: the library is imported by the command that runs. The type checks
 * below fail the build when a list here and the library's drift apart.
 */

type Exactly<List extends readonly string[], Union extends string> = [Union] extends [List[number]]
  ? [List[number]] extends [Union]
    ? List
    : never
  : never;

const topicTypes = ['user', 'feedback', 'project', 'reference', 'lesson'] as const;
export const TOPIC_TYPE_CHOICES: Exactly<typeof topicTypes, TopicType> = topicTypes;

const topicStatuses = ['active', 'suspect', 'superseded', 'quarantined'] as const;
export const TOPIC_STATUS_CHOICES: Exactly<typeof topicStatuses, TopicStatus> = topicStatuses;

const sourceKinds = ['user', 'agent', 'tool', 'web', 'file', 'import', 'dream'] as const;
export const SOURCE_KIND_CHOICES: Exactly<typeof sourceKinds, SourceKind> = sourceKinds;

const transcriptFormats = ['mnemo', 'claude-code'] as const;
export const TRANSCRIPT_FORMAT_CHOICES: Exactly<typeof transcriptFormats, TranscriptFormat> = transcriptFormats;

const locomoRetrievers = ['mnemo', 'bm25-baseline'] as const;
export const LOCOMO_RETRIEVER_CHOICES: Exactly<typeof locomoRetrievers, LocomoRetrieverName> = locomoRetrievers;
