import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/*
 * A tiny BERT-shaped model folder for the transformers.js path of the local embedder: a WordPiece
 * tokenizer over a small vocabulary, and an ONNX graph (written here with a minimal protobuf
 * encoder) whose `last_hidden_state` is each token's row of an embedding table (one Gather).
 * Enough to prove loading from a folder, tokenizing, mean pooling and normalizing.
 */

/** Protobuf wire format: varints and length-delimited fields. */
function varint(value: number | bigint): number[] {
  let rest = BigInt(value);
  const bytes: number[] = [];
  do {
    let byte = Number(rest & 0x7fn);
    rest >>= 7n;
    if (rest > 0n) byte |= 0x80;
    bytes.push(byte);
  } while (rest > 0n);
  return bytes;
}
const intField = (field: number, value: number | bigint) => [...varint((field << 3) | 0), ...varint(value)];
const bytesField = (field: number, bytes: ArrayLike<number>) => [
  ...varint((field << 3) | 2),
  ...varint(bytes.length),
  ...Array.from(bytes),
];
const stringField = (field: number, text: string) => bytesField(field, Buffer.from(text, 'utf8'));

const FLOAT = 1;
const INT64 = 7;

/** ValueInfoProto of a tensor with named (dynamic) or fixed dimensions. */
function valueInfo(name: string, elemType: number, dims: (string | number)[]): number[] {
  const shape = dims.flatMap((dim) => bytesField(1, typeof dim === 'string' ? stringField(2, dim) : intField(1, dim)));
  const tensorType = [...intField(1, elemType), ...bytesField(2, shape)];
  return [...stringField(1, name), ...bytesField(2, bytesField(1, tensorType))];
}

/** The ONNX model: last_hidden_state = Gather(table, input_ids); attention_mask and token_type_ids are taken and unused. */
export function tinyBertOnnx(table: readonly (readonly number[])[]): Uint8Array {
  const hidden = table[0]?.length ?? 0;
  const raw = Buffer.from(Float32Array.from(table.flat()).buffer);
  const initializer = [
    ...intField(1, table.length),
    ...intField(1, hidden),
    ...intField(2, FLOAT),
    ...stringField(8, 'embeddings'),
    ...bytesField(9, raw),
  ];
  const node = [
    ...stringField(1, 'embeddings'),
    ...stringField(1, 'input_ids'),
    ...stringField(2, 'last_hidden_state'),
    ...stringField(3, 'gather'),
    ...stringField(4, 'Gather'),
  ];
  const graph = [
    ...bytesField(1, node),
    ...stringField(2, 'tiny-bert'),
    ...bytesField(5, initializer),
    ...bytesField(11, valueInfo('input_ids', INT64, ['batch', 'sequence'])),
    ...bytesField(11, valueInfo('attention_mask', INT64, ['batch', 'sequence'])),
    ...bytesField(11, valueInfo('token_type_ids', INT64, ['batch', 'sequence'])),
    ...bytesField(12, valueInfo('last_hidden_state', FLOAT, ['batch', 'sequence', hidden])),
  ];
  const opset = [...stringField(1, ''), ...intField(2, 13)];
  return Uint8Array.from([...intField(1, 8), ...stringField(2, 'mnemo-test'), ...bytesField(7, graph), ...bytesField(8, opset)]);
}

export const TINY_SPECIALS = ['[PAD]', '[UNK]', '[CLS]', '[SEP]'] as const;

/**
 * Write `<parent>/<name>/` with config.json, tokenizer.json, tokenizer_config.json and
 * onnx/model.onnx. `words` maps each vocabulary word to its row; the special tokens get rows
 * of their own (given in `specials`, zero by default).
 */
export async function writeTinyBertModel(
  parent: string,
  name: string,
  words: Record<string, readonly number[]>,
  specials: Partial<Record<(typeof TINY_SPECIALS)[number], readonly number[]>> = {},
): Promise<{ vocab: string[]; table: number[][] }> {
  const hidden = Object.values(words)[0]?.length ?? 4;
  const vocab = [...TINY_SPECIALS, ...Object.keys(words)];
  const table = vocab.map((token) => [
    ...(words[token] ?? specials[token as (typeof TINY_SPECIALS)[number]] ?? new Array<number>(hidden).fill(0)),
  ]);
  const folder = join(parent, name);
  await mkdir(join(folder, 'onnx'), { recursive: true });
  const id = (token: string) => vocab.indexOf(token);
  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: TINY_SPECIALS.map((token) => ({
      id: id(token),
      content: token,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    })),
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: {
        '[CLS]': { id: '[CLS]', ids: [id('[CLS]')], tokens: ['[CLS]'] },
        '[SEP]': { id: '[SEP]', ids: [id('[SEP]')], tokens: ['[SEP]'] },
      },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((token, index) => [token, index])),
    },
  };
  await writeFile(join(folder, 'tokenizer.json'), JSON.stringify(tokenizer));
  await writeFile(
    join(folder, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'BertTokenizer',
      do_lower_case: true,
      model_max_length: 512,
      cls_token: '[CLS]',
      sep_token: '[SEP]',
      pad_token: '[PAD]',
      unk_token: '[UNK]',
    }),
  );
  await writeFile(
    join(folder, 'config.json'),
    JSON.stringify({
      model_type: 'bert',
      architectures: ['BertModel'],
      hidden_size: hidden,
      vocab_size: vocab.length,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      max_position_embeddings: 512,
      pad_token_id: 0,
    }),
  );
  await writeFile(join(folder, 'onnx', 'model.onnx'), tinyBertOnnx(table));
  return { vocab, table };
}
