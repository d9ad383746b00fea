import { expect } from 'chai';
import { checkSchemaDefinition, sameSchema, validatePayload } from '../../../src/broker/native/schemas';

describe('Native payload schemas', () => {
  const int64 = Buffer.alloc(8);

  it('accepts any bytes, valid UTF-8 strings and 8-byte int64 payloads', () => {
    validatePayload({ type: 'bytes', definition: null }, Buffer.from([0xff, 0x00]), 0);
    validatePayload({ type: 'string', definition: null }, Buffer.from('héllo'), 0);
    validatePayload({ type: 'int64', definition: null }, int64, 0);
  });

  it('refuses each mismatch with schemaValidation naming the message', () => {
    expect(() => validatePayload({ type: 'string', definition: null }, Buffer.from([0xc3, 0x28]), 4)).to.throw(/message 4: string payload is not valid UTF-8/);
    expect(() => validatePayload({ type: 'int64', definition: null }, Buffer.alloc(7), 1)).to.throw(/must be 8 bytes, not 7/);
    expect(() => validatePayload({ type: 'json', definition: null }, Buffer.from('{'), 2)).to.throw(/not valid JSON/);
  });

  it('validates JSON against a JSON Schema', () => {
    const schema = { type: 'json' as const, definition: '{"type":"object","required":["id"]}' };
    validatePayload(schema, Buffer.from('{"id":1}'), 0);
    expect(() => validatePayload(schema, Buffer.from('{"name":"x"}'), 3)).to.throw(/message 3: .*must have required property 'id'/);
  });

  it('refuses a JSON Schema that does not compile, and a definition on a non-JSON schema', () => {
    expect(() => checkSchemaDefinition({ type: 'json', definition: '{"type":"nonsense"}' })).to.throw(/does not compile/);
    expect(() => checkSchemaDefinition({ type: 'string', definition: '{}' })).to.throw(/takes no definition/);
  });

  it('compares schemas by type and normalised definition', () => {
    expect(sameSchema({ type: 'json', definition: '{ "type": "object" }' }, { type: 'json', definition: '{"type":"object"}' })).to.equal(true);
    expect(sameSchema({ type: 'json', definition: null }, { type: 'string', definition: null })).to.equal(false);
  });
});
