import type { InjectionFamily, Severity } from './finding.js';
import { insideFencedCode, isActiveTurn } from './conversation-shape.js';

/**
 * A pattern rule of the injection scan. Patterns run on the normalized text (see
 * normalize-text.ts), case-insensitively unless their flags say otherwise. `severity` is fixed,
 * or decided from the match (undefined: the match is not a finding after all).
 */
export interface InjectionRule {
  id: string;
  family: InjectionFamily;
  pattern: RegExp;
  severity: Severity | ((match: RegExpExecArray, text: string) => Severity | undefined);
  message: string;
  /** Raised one level when the text elsewhere addresses an AI agent. */
  boostWhenAddressed?: boolean;
  /** The match itself addresses an AI agent or its memory (it raises the others). */
  addressesAgent?: boolean;
  /** A shell command: its severity depends on what the text is for (see scanForInjection). */
  command?: boolean;
}

const AI_NOUN = String.raw`(?:(?:ai|llm|coding|autonomous)(?:\s+(?:coding|code|autonomous|software|research))?\s+(?:assistants?|agents?|models?|bots?|systems?)|ai|a\.i\.|llms?|large\s+language\s+models?|language\s+models?|chatbots?|claude|chatgpt|gpt(?:-?\d[\w.]*)?|copilot|gemini|codex)`;

const STRONG_QUALIFIER = /\b(?:previous|prior|earlier|preceding|above|former|foregoing|original|initial|your|system|developer|safety)\b/i;
const AGENT_NOUN = /\b(?:instructions?|prompts?|directives?|directions|guidelines|guidance|programming|training|orders|assignments)\b/i;

/**
 * "If the install fails, ignore the above": an override inside a condition about the reader's
 * situation is how docs talk; unless the condition is about being an AI or reading this text.
 */
export function conditional(match: RegExpExecArray, text: string): boolean {
  // the sentence so far, looking back at most 300 characters (linear on any input)
  const before = text.slice(Math.max(0, match.index - 300), match.index);
  const clause = before.slice(
    Math.max(before.lastIndexOf('.'), before.lastIndexOf('\n'), before.lastIndexOf('!'), before.lastIndexOf('?')) + 1,
  );
  return (
    /\b(?:if|when|unless|in\s+case)\b/i.test(clause) &&
    !/you\s+(?:are|'re|read|see)|reading|\b(?:ai|assistant|agent|model|llm|bot)s?\b/i.test(clause)
  );
}

function ignoreInstructions(match: RegExpExecArray, text: string): Severity | undefined {
  const phrase = match[0];
  const strong = STRONG_QUALIFIER.test(phrase) || (/\ball\b/i.test(phrase) && AGENT_NOUN.test(phrase));
  if (!strong) return undefined;
  return conditional(match, text) ? 'low' : 'high';
}

function disregardAbove(match: RegExpExecArray, text: string): Severity {
  return conditional(match, text) ? 'low' : 'high';
}

/** "do not tell the user which field was wrong" is UX advice, "do not tell the user" is stealth. */
function hideFromUser(match: RegExpExecArray, text: string): Severity | undefined {
  const after = text.slice(match.index + match[0].length, match.index + match[0].length + 40);
  if (/^\s+(?:which|whether|how\s+many|to\b)/i.test(after)) return undefined;
  return 'high';
}

function fromNowOn(match: RegExpExecArray): Severity {
  return /[\s,:](?:you|ignore|respond|reply|answer|act|only|(?:the\s+)?(?:ai|assistant|agent|model))$/i.test(match[0]) ? 'medium' : 'low';
}

function roleReassignment(match: RegExpExecArray): Severity | undefined {
  const tail = match[0].replace(/^you\s+are\s+(?:now|no\s+longer|henceforth)\s+/i, '');
  if (
    /^(?:free\b|unrestricted|unfiltered|uncensored|jailbroken|DAN\b|allowed|permitted|authori[sz]ed|able\s+to|operating|acting|in\s+(?:\w+\s+)?(?:developer|god|admin|debug|unrestricted|jailbreak|dan|sudo)\s+mode)/i.test(
      tail,
    )
  )
    return 'medium';
  if (/no\s+longer/i.test(match[0]) && /\b(?:bound|restricted|limited|an?\s+(?:ai|assistant)|required|constrained)\b/i.test(tail))
    return 'medium';
  if (/^(?:an?|the|my)\s/i.test(tail)) return 'low';
  return undefined;
}

/** "Assistant: It is 4 °C in Oslo" inside a fenced code block is a turn of an example conversation, not an address. */
function agentAddressed(match: RegExpExecArray, text: string): Severity | undefined {
  const role = /^[\s.!?>]*(?:dear\s+|hey\s+)?(assistant|ai|agent|model|chatbot|claude|chatgpt|copilot|gemini)\s*[,:]/i.exec(match[0]);
  if (role && insideFencedCode(text, match.index)) {
    const end = text.indexOf('\n', match.index + match[0].length);
    const turn = text.slice(
      match.index + match[0].length,
      end < 0 ? Math.min(text.length, match.index + 300) : Math.min(end, match.index + 300),
    );
    if (!isActiveTurn(role[1] ?? '', `${match[0].slice(role[0].length)}${turn}`)) return undefined;
  }
  return 'medium';
}

function promptLeak(match: RegExpExecArray): Severity {
  return /system\s+(?:prompt|message)|initial\s+prompt|hidden\s+(?:prompt|instructions)|developer\s+message|words\s+above|text\s+above/i.test(
    match[0],
  )
    ? 'medium'
    : 'low';
}

function yourNewTask(match: RegExpExecArray): Severity {
  return /\b(?:only|primary|sole)\b/i.test(match[0]) ? 'medium' : 'high';
}

function exfilInstruction(match: RegExpExecArray): Severity {
  const phrase = match[0];
  if (
    /\b(?:conversation|chat|history|messages?|system\s+prompt|memor(?:y|ies)|context|session|secrets?|credentials?|passwords?|env(?:ironment)?|ssh|private\s+keys?|user\s+data|personal|\.env|previous\s+answers?)\b/i.test(
      phrase,
    )
  )
    return 'high';
  // keys and tokens copied or leaked to an address (not "send your API key as a query parameter")
  if (/^(?:copy|leak|exfiltrate|forward|upload|transmit|post|send)\b/i.test(phrase) && /(?:webhook|https?:\/\/)$/i.test(phrase))
    return 'medium';
  return 'low';
}

function chatToken(match: RegExpExecArray): Severity {
  return /im_start|im_end|start_header_id|eot_id|\|>\s*(?:system|user|assistant|tool|developer)/i.test(match[0]) ? 'high' : 'medium';
}

function fakeTag(match: RegExpExecArray, text: string): Severity | undefined {
  const name = (/^<\/?([A-Za-z_:-]+)/.exec(match[0])?.[1] ?? '').toLowerCase();
  // "handle <system> tags": the tag is being talked about
  if (
    /^\s+(?:tags?|elements?|blocks?|markers?|tokens?)\b/i.test(
      text.slice(match.index + match[0].length, match.index + match[0].length + 12),
    )
  )
    return 'low';
  if (/^(?:instructions?|prompt|context)$/.test(name)) return 'low';
  if (name === 'system') {
    // <system>GitHub</system> in a Maven POM is data, not a turn
    const after = text.slice(match.index + match[0].length, match.index + match[0].length + 60);
    const before = text.slice(Math.max(0, match.index - 60), match.index);
    if (match[0].startsWith('</') ? /<system>[^\s<]{1,40}$/i.test(before) : /^[^\s<]{1,40}<\/system>/i.test(after)) return 'low';
  }
  return 'high';
}

function turnMarker(match: RegExpExecArray, text: string): Severity | undefined {
  const line = match[0];
  const role = (/^\s*(?:#{1,6}\s*)?([A-Za-z]+)/.exec(line)?.[1] ?? '').toLowerCase();
  // an example conversation in a fenced code block (docs, a README) is an example, unless the turn is an act
  if (insideFencedCode(text, match.index) && !isActiveTurn(role, line.slice(line.indexOf(':') + 1))) return undefined;
  const heading = /^\s*#/.test(line);
  const imperative =
    /:\s*(?:you\b|ignore|disregard|forget|from\s+now|new\s+instructions|always\b|never\b|override|important|do\s+not)/i.test(line);
  if (role === 'human' || role === 'assistant') {
    // "\n\nHuman:" is exactly how a turn starts in a raw prompt
    return /\n[ \t]*\n$/.test(text.slice(Math.max(0, match.index - 40), match.index)) ? 'high' : 'medium';
  }
  if (heading) return 'medium';
  if (imperative) return 'medium';
  return undefined;
}

const g = (source: string, flags = 'gi'): RegExp => new RegExp(source, flags);

/** Text aimed at an agent: overrides, new roles, stealth, memory writes, exfiltration requests. */
export const INJECTION_RULES: readonly InjectionRule[] = [
  {
    id: 'ignore-previous-instructions',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:ignore|disregard|forget|skip|override|overrule|bypass|neglect|abandon|discard|drop|dismiss)\s+(?:(?:all|any|every|each|the|your|my|these|those|of|about|prior|previous|earlier|preceding|above|former|foregoing|original|initial|existing|old|system|developer|safety|other|given|current)\s+){1,5}(?:instructions?|prompts?|rules|directives?|directions|guidelines|guidance|commands|constraints|context|programming|restrictions|polic(?:y|ies)|orders|training|conversation|assignments|tasks)\b`,
    ),
    severity: ignoreInstructions,
    boostWhenAddressed: true,
    message: 'tells the agent to ignore its previous instructions',
  },
  {
    id: 'disregard-above',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:ignore|disregard|forget)\s+(?:(?:all|everything|anything)\s+(?:of\s+)?(?:the\s+)?|the\s+)?(?:above|before\s+this|previous(?:ly)?\s+(?:said|written|stated))(?=\s*(?:[,.;:!)\n]|$|and\b|then\b|instead\b|instructions?\b|prompts?\b|text\b|directions\b|content\b|rules\b|context\b|messages?\b))` +
        String.raw`|\b(?:ignore|disregard|forget)\s+(?:everything|all\s+that|whatever)\s+(?:you\s+(?:were|have\s+been|'ve\s+been)\s+(?:told|given|instructed)|(?:was\s+)?(?:said|written)\s+(?:above|before|earlier)|above|before\s+this|so\s+far|until\s+now|up\s+to\s+(?:now|this\s+point))`,
    ),
    severity: disregardAbove,
    boostWhenAddressed: true,
    message: 'tells the agent to disregard what came before',
  },
  {
    id: 'ignore-instructions-translated',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:ignoriere|vergiss|missachte)\s+(?:alle\s+)?(?:vorherigen|bisherigen|obigen|vorangegangenen)\s+(?:Anweisungen|Instruktionen|Befehle|Regeln)` +
        String.raw`|\b(?:ignore[rz]?|oublie[rz]?)\s+(?:toutes\s+)?(?:les\s+)?(?:instructions|consignes)\s+(?:précédentes|antérieures|ci-dessus)` +
        String.raw`|\b(?:ignora|olvida|ignore|olvide)\s+(?:todas\s+)?(?:las\s+)?instrucciones\s+(?:anteriores|previas)` +
        String.raw`|\bignora\s+(?:tutte\s+)?(?:le\s+)?istruzioni\s+(?:precedenti|sopra)` +
        String.raw`|\b(?:ignore|ignora|esqueça)\s+(?:todas\s+)?(?:as\s+)?instruções\s+(?:anteriores|acima)` +
        String.raw`|(?:игнорируй|забудь|проигнорируй)\s+(?:все\s+)?(?:предыдущие|прежние)\s+(?:инструкции|указания)` +
        String.raw`|(?:忽略|无视|忘记|忽視|無視)(?:之前|以上|上面|先前|前面|所有)[^\n]{0,6}(?:指令|指示|说明|提示|規則|规则)` +
        String.raw`|(?:以前|前|上記)の(?:指示|命令)を(?:無視|忘れ)`,
    ),
    severity: 'high',
    message: 'tells the agent (in another language) to ignore its previous instructions',
  },
  {
    id: 'new-instructions',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:new|updated|revised|real|actual|true|additional|secret|hidden|override|priority|urgent|admin(?:istrator)?)\s+(?:system\s+)?(?:instructions?|directives?|orders)\s*:`,
    ),
    severity: 'medium',
    boostWhenAddressed: true,
    message: 'announces new instructions for the agent',
  },
  {
    id: 'your-new-task',
    family: 'instruction-override',
    pattern: g(
      String.raw`\byour\s+(?:new|real|actual|true|only|primary|updated|revised|sole)\s+(?:task|goal|objective|role|instructions?|mission|purpose|job|directive|priority|assignment)s?\s+(?:is|are|will\s+be|becomes?|now)\b`,
    ),
    severity: yourNewTask,
    message: 'gives the agent a new task',
  },
  {
    id: 'from-now-on',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:from\s+now\s+on|henceforth|from\s+this\s+point\s+(?:on|forward)|for\s+(?:all\s+)?future\s+(?:sessions|conversations|tasks|requests|responses|interactions))\b[,:]?\s+(?:the\s+)?[\w']+`,
    ),
    severity: fromNowOn,
    boostWhenAddressed: true,
    message: 'sets a standing rule for all later behaviour',
  },
  {
    id: 'you-must-now',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:(?:you|the\s+(?:assistant|ai|agent|model|llm|bot))\s+(?:must|should|will|shall|need\s+to|has\s+to|have\s+to|(?:are|is)\s+(?:now\s+)?(?:required|instructed|ordered|expected)\s+to)\s+now|now\s+you\s+(?:must|will|shall|are\s+(?:required|going)\s+to))\b`,
    ),
    severity: 'low',
    boostWhenAddressed: true,
    message: 'orders the agent to do something now',
  },
  {
    id: 'always-run',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:always|must\s+always|should\s+always|make\s+sure\s+(?:to\s+)?always|never\s+forget\s+to)\s+(?:first\s+)?(?:run|execute|call|invoke|curl|wget|fetch|source|eval|download|install|pipe|send|post|upload)\b`,
    ),
    severity: 'low',
    boostWhenAddressed: true,
    message: 'sets a standing rule to run or send something',
  },
  {
    id: 'role-reassignment',
    family: 'instruction-override',
    pattern: g(String.raw`\byou\s+are\s+(?:now|no\s+longer|henceforth)\s+[^.\n]{1,60}`),
    severity: roleReassignment,
    boostWhenAddressed: true,
    message: 'gives the agent a new identity or lifts its limits',
  },
  {
    id: 'act-as-unrestricted',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:act|behave|respond|operate)\s+as\s+(?:if\s+you\s+(?:are|were)\s+)?(?:an?\s+|the\s+)?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|rogue|DAN\b|root\b|superuser|system\s+administrator|developer\s+mode)` +
        String.raw`|\bpretend\s+(?:to\s+be|you\s+are|that\s+you\s+are)\b|\broleplay\s+as\b`,
    ),
    severity: (match) => (/^(?:pretend|roleplay)/i.test(match[0]) ? 'low' : 'medium'),
    boostWhenAddressed: true,
    message: 'asks the agent to take on another role',
  },
  {
    id: 'jailbreak',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:do\s+anything\s+now|developer\s+mode\s+(?:enabled|on|activated|output)|jailbr(?:oken|eak)\s+mode|(?:no|without\s+any)\s+(?:ethical|moral|content|safety)\s+(?:restrictions|guidelines|filters|limits|constraints)|(?:ignore|bypass|disable)\s+(?:your\s+|all\s+)?(?:safety|content)\s+(?:policy|policies|filters|guidelines|checks))\b`,
    ),
    severity: 'medium',
    message: 'tries to switch off the agent’s safeguards',
  },
  {
    id: 'jailbreak-dan',
    family: 'instruction-override',
    pattern: g(String.raw`\bDAN\b(?:\s+mode|\s*:|,?\s+(?:which|who)\s+stands\s+for)`, 'g'),
    severity: 'medium',
    message: 'uses the "DAN" jailbreak persona',
  },
  {
    id: 'prompt-leak',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:print|reveal|show|output|repeat|display|tell\s+me|give\s+me|leak|dump|echo|write\s+out|recite)\s+(?:me\s+)?(?:your|the)\s+(?:full\s+|entire\s+|complete\s+|original\s+|hidden\s+|initial\s+|exact\s+)?(?:system\s+prompt|system\s+message|initial\s+prompt|hidden\s+(?:prompt|instructions)|developer\s+message|instructions\s+verbatim|prompt\s+verbatim)` +
        String.raw`|\brepeat\s+(?:the\s+|all\s+(?:of\s+)?the\s+)?(?:words|text)\s+above\b`,
    ),
    severity: promptLeak,
    boostWhenAddressed: true,
    message: 'asks the agent to reveal its instructions',
  },
  {
    id: 'hide-from-user',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:do\s+not|don't|never)\s+(?:tell|inform|mention|reveal|alert|notify|warn|disclose)\s+(?:this\s+|it\s+|anything\s+)?(?:to\s+)?(?:the\s+)?(?:user|human|operator)s?\b` +
        String.raw`|\bwithout\s+(?:telling|informing|notifying|alerting|warning|mentioning\s+(?:it|this)\s+to)\s+(?:the\s+)?(?:user|human|operator)s?\b` +
        String.raw`|\b(?:keep\s+(?:this|it)\s+(?:a\s+)?secret\s+from|hide\s+(?:this|it)\s+from)\s+(?:the\s+)?(?:user|human)s?\b` +
        String.raw`|\bthe\s+(?:user|human)\s+(?:must|should)\s+(?:not|never)\s+(?:know|see|find\s+out|notice|be\s+told)\b`,
    ),
    severity: hideFromUser,
    message: 'tells the agent to hide what it does from the user',
  },
  {
    id: 'agent-addressed',
    family: 'instruction-override',
    pattern: g(
      String.raw`\bif\s+you\s+are\s+(?:an?\s+)?${AI_NOUN}\b` +
        String.raw`|\b(?:attention|note|message|instructions?|notice|reminder|warning|important|urgent|memo|hey|hi|hello|dear)\s*(?:to|for)?\s*[:,-]?\s*(?:all\s+|any\s+|the\s+)?${AI_NOUN}\s*[:,!]` +
        String.raw`|\b${AI_NOUN}\s+(?:reading|processing|parsing|summari[sz]ing|crawling|indexing|ingesting|analy[sz]ing|(?:that|who|which)\s+(?:reads?|process(?:es)?|parses?|sees?))\s+(?:this|these)\b` +
        String.raw`|\bto\s+(?:any|all|the|every)\s+${AI_NOUN}\s+(?:reading|processing|that\s+reads?)\b` +
        String.raw`|\b${AI_NOUN}\s*[:,]\s*(?:you\s+)?(?:must|should|need|are|always|never|please|ignore|do\s+not|don't|remember|make\s+sure)\b` +
        // "Assistant, from now on …", "AI: run …" at the start of a sentence or element
        String.raw`|(?:^|[.!?>][ \t]{0,20}|\n[ \t]{0,20})(?:dear\s+|hey\s+)?(?:assistant|ai|agent|model|chatbot|claude|chatgpt|copilot|gemini)\s*[,:]\s+(?=[a-z])` +
        String.raw`|\b(?:for|to)\s+the\s+(?:ai\s+)?(?:assistant|agent|model|llm)\s*:` +
        String.raw`|\b(?:important|attention|note|warning|notice|urgent)\s*[:!-]\s*(?:all\s+|any\s+)?${AI_NOUN}\s+(?:must|should|need\s+to|are\s+required\s+to|have\s+to)\b`,
    ),
    severity: agentAddressed,
    addressesAgent: true,
    message: 'addresses an AI agent directly',
  },
  {
    id: 'memory-write-instruction',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:save|store|write|add|persist|record|put|insert|commit|keep|remember)\s+(?:this|that|the\s+following|these\s+(?:facts|rules|instructions|notes|lines)|it|the\s+(?:rule|fact|instruction|note|line)s?)\s+(?:\w+\s+){0,3}?(?:to|in|into|as)\s+(?:your\s+(?:long[- ]term\s+|permanent\s+|persistent\s+)?(?:memory|memories|notes|knowledge\s+base)|(?:the\s+)?(?:long[- ]term|permanent|persistent)\s+memory|memory\.md|claude\.md|agents\.md|\.cursorrules|memory\s+(?:bank|file|store)|a\s+(?:permanent|persistent)\s+(?:fact|rule|memory))` +
        String.raw`|\b(?:save|write|add)\s+(?:this|the\s+following)\s+to\s+memory\b` +
        String.raw`|\bremember\s+(?:this|that)\b[^.\n]{0,120}?\b(?:forever|permanently|in\s+(?:all\s+)?future\s+(?:sessions|conversations|tasks)|for\s+(?:all\s+)?future\s+(?:sessions|conversations|tasks)|across\s+(?:all\s+)?sessions)`,
    ),
    severity: 'high',
    addressesAgent: true,
    message: 'tells the agent to write something into its long-term memory',
  },
  {
    id: 'change-agent-memory',
    family: 'instruction-override',
    pattern: g(
      String.raw`\b(?:update|modify|edit|overwrite|change|rewrite|replace)\s+(?:your|the\s+(?:ai|agent|assistant)'?s?)\s+(?:memory|memories|instructions|system\s+prompt|rules|core\s+directives)\b`,
    ),
    severity: 'medium',
    addressesAgent: true,
    message: 'tells the agent to change its memory or instructions',
  },
  {
    id: 'exfiltration-instruction',
    family: 'exfiltration',
    pattern: g(
      String.raw`\b(?:append|add|include|insert|put|encode|embed|attach|send|post|upload|transmit|forward|leak|exfiltrate|copy)\s+(?:(?:the|your|all|any|this|a|every)\s+)*(?:(?:contents?|copy|copies|values?|text)\s+of\s+(?:(?:the|your|all|any|this|a|every)\s+)*)?(?:(?:full|entire|whole|previous|user'?s?|current|private|secret|base64[- ]encoded|encoded|url[- ]encoded|stored|saved)\s+)*` +
        String.raw`(?:conversation|chat(?:\s+history)?|history|messages?|secrets?|credentials?|api\s+keys?|tokens?|passwords?|env(?:ironment)?(?:\s+variables)?|system\s+prompt|memor(?:y|ies)|context|session(?:\s+data)?|cookies?|ssh\s+keys?|private\s+keys?|user\s+data|personal\s+(?:data|information)|emails?|source\s+code|\.env(?:\s+file)?|previous\s+answers?)\b` +
        String.raw`[^\n]{0,120}?\b(?:to|in|into|as|via|using)\s+(?:the\s+|a\s+|this\s+|my\s+)?(?:url|link|query(?:\s+string)?|(?:query\s+)?param(?:eter)?s?|image|img|markdown\s+image|webhook|https?://)`,
    ),
    severity: exfilInstruction,
    boostWhenAddressed: true,
    message: 'tells the agent to send data out through a URL or image',
  },
  {
    id: 'decode-and-execute',
    family: 'encoded-payload',
    pattern: g(
      String.raw`\b(?:decode|base64\s+(?:-d|--decode)|atob|b64decode|from\s+base64|rot13|unhex)\b[^\n]{0,120}?\b(?:and|then)\s+(?:execute|run|follow|obey|eval(?:uate)?|do\s+(?:what|as)|apply|carry\s+out|perform)\b` +
        String.raw`|\b(?:execute|run|follow|obey|carry\s+out)\s+(?:the\s+)?(?:decoded|hidden|encoded|embedded)\s+(?:instructions?|commands?|payload|text|message)`,
    ),
    severity: 'high',
    message: 'tells the agent to decode hidden content and act on it',
  },
  {
    id: 'fake-chat-tag',
    family: 'role-spoofing',
    pattern: g(
      String.raw`<\/?(?:system(?:[-_](?:reminder|prompt|message|instructions?|override))?|im_start|im_end|im_sep|start_of_turn|end_of_turn|tool[-_]?(?:result|results|use|call|calls|response|output)|function[-_]?(?:results?|calls?|response|output)|invoke|antml:[a-z_]+|assistant|human|developer[-_]?(?:message|instructions?)|untrusted[-_]?(?:content|input|data|text)|document[-_]?content|search[-_]?results?|admin[-_]?(?:message|instructions?|override)|instructions?|user[-_](?:message|query|input|instructions?)|prompt|context)\b[^<>\n]{0,200}>`,
    ),
    severity: fakeTag,
    boostWhenAddressed: true,
    message: 'imitates the tags that delimit system, tool or user turns',
  },
  {
    id: 'markdown-role-link',
    family: 'role-spoofing',
    pattern: g(String.raw`\[(?:system|assistant|user|developer)\]\(#[\w-]{1,60}\)`),
    severity: 'high',
    message: 'imitates a chat role marker written as a markdown link ("[system](#instructions)")',
  },
  {
    id: 'chat-template-token',
    family: 'role-spoofing',
    pattern: g(
      String.raw`<\|(?:im_start|im_end|im_sep|system|user|assistant|endoftext|eot_id|start_header_id|end_header_id|begin_of_text|end_of_text|eom_id|end_of_turn|start_of_turn|tool|ipython|channel|message|end|start|return|call)\|>(?:\s*(?:system|user|assistant|tool|developer)\b)?`,
    ),
    severity: chatToken,
    message: 'contains chat-template tokens that start a new turn',
  },
  {
    id: 'llama-instruction-tag',
    family: 'role-spoofing',
    pattern: g(String.raw`\[\/?INST\]|<<\/?SYS>>`, 'g'),
    severity: 'high',
    message: 'contains [INST]/<<SYS>> markers that start a new turn',
  },
  {
    id: 'turn-marker',
    family: 'role-spoofing',
    pattern: g(String.raw`^[ \t]*(?:#{1,6}[ \t]*)?(?:Human|Assistant|System|User|Instruction|Response)[ \t]*:[^\n]{0,80}`, 'gim'),
    severity: turnMarker,
    boostWhenAddressed: true,
    message: 'imitates a conversation turn ("Human:", "Assistant:", "### System:")',
  },
  {
    id: 'fake-tool-call',
    family: 'role-spoofing',
    pattern: g(String.raw`"(?:tool_calls?|function_call|tool_use)"\s*:`),
    severity: 'low',
    boostWhenAddressed: true,
    message: 'contains what looks like a tool call',
  },
];
