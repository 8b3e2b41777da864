/*
 * The shape of a conversation written into text: where fenced code blocks are (examples in docs
 * sit in them), and whether a turn is an act or only an example. Shared by the turn-marker and
 * agent-address rules (injection-rules.ts) and the fake-conversation signal (structural-signals.ts).
 */

const CODE_FENCE = /^[ \t]*(?:```|~~~)/gm;
/** First-person acceptance, as an assistant's turn would begin. */
export const ACCEPTS =
  /^(?:sure|ok(?:ay)?|done|understood|certainly|of\s+course|yes|i\s+(?:will|have|confirm|am|'ll|'ve|uploaded|removed|deleted))\b/i;

/**
 * What makes a turn of a conversation an act rather than an example: the assistant accepting
 * something, or any turn asking for or reporting an action on code, data, access or the agent's
 * own rules. "User: what's the weather? / Assistant: 4 °C and cloudy" has none of it.
 */
const ACTIVE_TURN =
  /\b(?:ignore|disregard|forget|override|bypass|disable|turn(?:ed)?\s+off|remov(?:e|ed|ing)|delet(?:e|ed|ing)|wipe|erase|drop|post(?:ed)?|send|sent|upload(?:ed)?|forward|leak|reveal|list\s+(?:every|all)|print|dump|run|execut(?:e|ed|ing)|install|download|grant(?:ed)?|always|never|from\s+now|without\s+asking|secrets?|passwords?|credentials?|keys?|tokens?|admin(?:istrator)?|rights|permissions?|instructions?|rules?)\b/i;

/** Whether one turn's text (after its role marker) is an act: see ACTIVE_TURN; an assistant turn that accepts is one too. */
export function isActiveTurn(role: string, turn: string): boolean {
  if (ACTIVE_TURN.test(turn)) return true;
  return /^(?:assistant|ai|agent)$/i.test(role) && ACCEPTS.test(turn.trim());
}

let markedText: string | undefined;
let markedFences: number[] = [];

/** Offsets at which a fenced code block starts or ends, in order (the last text's are kept: rules ask per match). */
function codeFenceMarks(text: string): number[] {
  if (markedText !== text) {
    markedFences = Array.from(text.matchAll(CODE_FENCE), (match) => match.index);
    markedText = text;
  }
  return markedFences;
}

/** Whether offset `at` of `text` lies inside a fenced code block (``` or ~~~), by binary search over the fence lines. */
export function insideFencedCode(text: string, at: number): boolean {
  const marks = codeFenceMarks(text);
  let low = 0;
  let high = marks.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((marks[middle] ?? 0) <= at) low = middle + 1;
    else high = middle;
  }
  // an odd number of fence lines before `at`: a block is open there
  return low % 2 === 1;
}
