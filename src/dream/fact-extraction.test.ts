import { describe, expect, it } from 'vitest';
import { extractFacts } from './fact-extraction.js';

const pairs = (description: string, body: string) => extractFacts(description, body).map((fact) => `${fact.key}=${fact.normalized}`);

describe('extractFacts', () => {
  it('finds values stated for a thing', () => {
    expect(pairs('the API port', 'The API port is 8080.')).toEqual(['api port=8080']);
    expect(pairs('', 'Node version: 20.11.1')).toEqual(['node version=20.11.1']);
    expect(pairs('', 'The staging URL is https://staging.example.test/app.')).toEqual(['stag url=https://staging.example.test/app']);
    expect(pairs('', 'The build command is `npm run build:prod`.')).toEqual(['build command=npm run build:prod']);
    expect(pairs('', 'Request timeout is 30 s for the gateway')).toEqual(['request timeout=30 s']);
  });

  it('ignores statements without a comparable value', () => {
    expect(pairs('', 'Staging deploys are blue-green.\n**Why:** the port is 80 for QA.')).toEqual([]);
    expect(pairs('', '```\nport: 9090\n```')).toEqual([]);
  });
});
