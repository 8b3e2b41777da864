import type { Severity } from './finding.js';
import { conditional, type InjectionRule } from './injection-rules.js';

/*
 * Instruction-likeness beyond phrase lists: what makes a text an instruction to an agent is its
 * shape, not one word. Each rule below is a shape: a dismissal of what came before (whatever it
 * is called), a declaration that the earlier context is void, an order with urgency aimed at the
 * agent or its answer, a conditional about being questioned followed by what to say, a mode that
 * lifts the agent's limits, a request for its configuration. Written from the kinds of attack
 * issue 14 names and tuned on bench/guard/tune only.
 */

const g = (source: string, flags = 'gi'): RegExp => new RegExp(source, flags);

/** Nouns for what an agent was given before (text, context, conversation …), not for things (a spreadsheet, an email). */
const CONTEXT_NOUN = String.raw`(?:text|content|context|messages?|conversation|chat|discussion|input|guidance|directions|rules|prompts?|instructions?|guidelines|orders|commands|directives|system\s+(?:text|message|prompt|notice)|information|words|lines|task)`;
const BEFORE = String.raw`(?:previous|prior|earlier|preceding|above|foregoing|original|initial|former|system|developer)`;
const DISMISS = String.raw`(?:ignore|disregard|forget|discard|dismiss|neglect|abandon|skip|set\s+aside|put\s+aside|pay\s+no\s+(?:attention|heed)\s+to|stop\s+following|throw\s+out|scrap)`;

const unlessConditional =
  (severity: Severity) =>
  (match: RegExpExecArray, text: string): Severity =>
    conditional(match, text) ? 'low' : severity;

/** The shape `ignore-previous-instructions` reports already ("ignore previous instructions"): left to it. */
function dismissSeverity(match: RegExpExecArray, text: string): Severity | undefined {
  if (
    /^(?:ignore|disregard|forget|skip|neglect|abandon|discard|dismiss)\b/i.test(match[0]) &&
    /\b(?:instructions?|prompts?|rules|directives?|directions|guidelines|guidance|commands|context|orders|conversation|tasks?)$/i.test(
      match[0],
    )
  )
    return undefined;
  return conditional(match, text) ? 'low' : 'high';
}

export const INSTRUCTION_RULES: readonly InjectionRule[] = [
  {
    id: 'dismiss-prior-context',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b${DISMISS}\s+(?:(?:all|any|every|each|of|the|your|my|these|those|what|that|which|you|were|was|have|has|been|told|said|given|written|this)\s+){0,4}(?:${BEFORE}\s+){1,2}(?:[\w'-]+\s+)?${CONTEXT_NOUN}\b` +
        String.raw`|\b${DISMISS}\s+(?:everything|all|anything|what(?:ever)?)\s+(?:(?:that\s+)?(?:you\s+(?:were|have\s+been|'ve\s+been)\s+(?:told|given|shown|instructed)|(?:was|has\s+been|were)\s+(?:said|written|given|stated))\s+)?(?:before|above|earlier|prior\s+to\s+this|previously|so\s+far|until\s+now|up\s+to\s+(?:now|here|this\s+point))\b`,
    ),
    severity: dismissSeverity,
    boostWhenAddressed: true,
    message: 'tells the agent to dismiss what it was given before',
  },
  {
    id: 'prior-context-void',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:everything|all|anything)\s+(?:(?:that\s+)?(?:you\s+(?:read|saw)|was\s+(?:said|written))\s+)?(?:above|before|earlier|prior|previous(?:ly)?)(?:\s+(?:this|here)(?:\s+\w+)?)?\s+(?:is|was|are|were)\s+(?:now\s+)?(?:irrelevant|void|invalid|obsolete|a\s+test|fake|null|cancell?ed|superseded|not\s+(?:valid|important|relevant))\b` +
        String.raw`|\b(?:the\s+|all\s+|any\s+)?(?:previous|prior|earlier|preceding|above|foregoing|original)\s+(?:[\w'-]+\s+)?${CONTEXT_NOUN}\s+(?:in\s+this\s+\w+\s+)?(?:is|are|was|were)\s+(?:now\s+|hereby\s+)?(?:void|irrelevant|invalid|obsolete|a\s+test|cancell?ed|superseded|overridden|revoked|no\s+longer\s+(?:valid|applicable|relevant|in\s+effect))\b` +
        String.raw`|\b(?:the\s+)?(?:previous|prior|earlier|preceding|above|foregoing|original)\s+(?:[\w'-]+\s+)?${CONTEXT_NOUN}\s+(?:in\s+this\s+\w+\s+)?(?:no\s+longer|do(?:es)?\s+not|don't)\s+apply\b`,
    ),
    severity: unlessConditional('high'),
    boostWhenAddressed: true,
    message: 'declares everything the agent was given before void',
  },
  {
    id: 'urgent-order',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:you|the\s+(?:ai|assistant|agent|model|llm|bot)|your\s+(?:answer|reply|response|output|summary|next\s+(?:answer|reply|response)))\s+(?:must|shall|should|will|needs?\s+to|has\s+to|have\s+to|is\s+to|are\s+to)\s+(?:(?:now|always|only|instead|immediately|henceforth|from\s+now\s+on)\s+)+(?:\w+\s+)?(?:tell|say|state|claim|recommend|reply|respond|answer|output|print|include|mention|insist|assure|advise|inform|email|send|forward|delete|remove|push|merge|approve|disable|run|execute|upload|post|transfer)\b` +
        String.raw`|\bthe\s+(?:real|actual|true|new)\s+(?:task|goal|job|objective|mission|instruction)\s+(?:(?:that\s+)?you\s+(?:must|should|need\s+to|have\s+to)\s+(?:perform|do|complete|carry\s+out)\s+)?is\s+to\b` +
        String.raw`|\byour\s+(?:new|real|actual|true|only|primary|sole|updated)\s+(?:\w+\s+)?(?:task|goal|objective|role|mission|purpose|job|directive|priority|assignment)s?\s+(?:now\s+|from\s+now\s+on\s+)?(?:is|are|will\s+be|becomes?)\s+to\b`,
    ),
    severity: 'medium',
    boostWhenAddressed: true,
    message: 'orders the agent to do or say something else, now',
  },
  {
    id: 'tell-the-user',
    family: 'instruction-override',
    pattern: g(
      // [ \t] only after the line break or stop: `\s*` there would re-read every blank line that follows (quadratic)
      String.raw`(?:^|[.!?:;][ \t]+|\n[ \t]*)(?:please\s+|now\s+|instead\s+|and\s+)?(?:tell|inform|convince|assure|warn)\s+(?:the\s+)?(?:user|visitor|reader|customer|human|operator)s?\s+(?:that\s+)?(?:this|their|they|the|it|he|she)\b`,
      'gim',
    ),
    severity: unlessConditional('medium'),
    boostWhenAddressed: true,
    message: 'tells the agent what to tell the user',
  },
  {
    id: 'if-questioned',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:if|when|whenever|should|in\s+case|once)\s+(?:(?:you\s+are|you're|you\s+get|it\s+is|anyone|someone|somebody|anybody|they|a\s+\w+|the\s+\w+|your\s+\w+)\s+)?(?:ever\s+|later\s+|again\s+)?(?:ask(?:s|ed)?|question(?:s|ed)?|quer(?:y|ies|ied)|inquire[sd]?|challenge[sd]?|doubts?)\b[^.\n]{0,140}?\b` +
        String.raw`(?:(?:say|state|claim|report|answer|reply|respond|explain|insist|confirm|assert|maintain)\s+(?:(?:to\s+(?:them|him|her|the\s+\w+)\s+)?that\b|yes\b|no\b|it\s+(?:is|was|has)\b|they\s+(?:are|were)\b|this\s+(?:is|was)\b|the\s+\w+\s+(?:is|was|has)\b)` +
        String.raw`|tell\s+(?:them|him|her|the\s+\w+)\s+(?:that\s+)?(?:it|they|this|the|there|you|we)\b|assure\s+(?:them|him|her|the\s+\w+)\b)`,
    ),
    severity: 'medium',
    boostWhenAddressed: true,
    message: 'tells the agent what to answer when it is questioned (a scripted deception)',
  },
  {
    id: 'mode-switch',
    family: 'instruction-override',
    pattern: g(
      String.raw`\byou\s+(?:are|'re)\s+(?:now\s+)?(?:in|operating\s+in|running\s+in|entering|switched\s+(?:in)?to|placed\s+in)\s+(?:[\w-]+\s+){0,3}?mode\b` +
        String.raw`|\b(?:switch(?:es|ed)?|puts?|places?|sets?|drops?)\s+you\s+(?:in(?:to)?|to)\s+(?:[\w-]+\s+){0,3}?mode\b` +
        String.raw`|\benable\s+(?:god|jailbreak|dan|unrestricted|unfiltered|developer|sudo|root)\s+mode\b`,
    ),
    severity: 'medium',
    boostWhenAddressed: true,
    message: 'puts the agent into a "mode" of its own making',
  },
  {
    id: 'limits-lifted',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:safety|security|content|ethical)\s+(?:checks?|filters?|polic(?:y|ies)|guidelines|restrictions|guardrails|rules)\s+(?:are|have\s+been|has\s+been|is)\s+(?:now\s+|hereby\s+|temporarily\s+)?(?:suspended|disabled|lifted|off|removed|turned\s+off|void|deactivated|paused)\b` +
        String.raw`|\brestrictions\s+(?:no\s+longer|do\s+not|don't)\s+apply\b` +
        String.raw`|\b(?:you\s+)?(?:have|has)\s+no\s+(?:content\s+policy|restrictions|limits|rules|guardrails)\b` +
        String.raw`|\b(?:comply\s+with|obey|fulfil+|carry\s+out)\s+(?:every|all|any)\s+(?:requests?|commands?|orders?)\b` +
        String.raw`|\b(?:answer|respond|reply)\s+without\s+(?:refusing|refusal|restrictions|limits)\b` +
        String.raw`|\b(?:may|can)\s+now\s+(?:execute|run)\s+any\b` +
        String.raw`|\bskip\s+(?:every|all|any)\s+confirmations?\b` +
        String.raw`|\b(?:execute|run)\s+(?:any|every)\s+(?:shell\s+)?commands?\s+without\s+(?:asking|confirmation|approval)\b` +
        String.raw`|\b(?:run|execute)\s+destructive\s+commands\s+freely\b`,
    ),
    severity: 'medium',
    boostWhenAddressed: true,
    message: 'declares the agent’s limits lifted',
  },
  {
    id: 'configuration-leak',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:repeat|print(?:\s+out)?|output|show|reveal|copy|paste|write(?:\s+(?:down|out))?|dump|recite|disclose|share|list)\s+(?:[\w']+\s+){0,5}?` +
        String.raw`(?:(?:your|the|its)\s+(?:full\s+|complete\s+|entire\s+|exact\s+|whole\s+)?(?:system\s+prompt|hidden\s+(?:rules|guidelines|instructions|prompt|directives)|initial\s+(?:directives|instructions|prompt|configuration|rules)|(?:complete\s+|full\s+)?configuration\s+and\s+(?:initial\s+)?(?:directives|rules|instructions)|original\s+(?:instructions|prompt))` +
        String.raw`|(?:the\s+)?instructions\s+you\s+(?:were\s+given|have\s+been\s+given|received|got)|(?:the\s+)?text\s+that\s+(?:appears|comes)\s+before\s+the\s+first|everything\s+in\s+(?:the|your)\s+system\s+prompt)`,
    ),
    severity: 'medium',
    boostWhenAddressed: true,
    message: 'asks the agent to reveal its instructions or configuration',
  },
];
