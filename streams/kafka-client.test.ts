import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLine } from './kafka-client.ts';

const entry = (level: logLevel, log: Record<string, unknown>) => ({
  level,
  log: { timestamp: '2026-12-04T00:00:00.000Z', logger: 'kafkajs', ...log } as never,
});

describe('kafkaLogLine', () => {
  it('prints warnings and errors with the role, and the broker error kafkajs keeps beside the message', () => {
    expect(kafkaLogLine('ingest', entry(logLevel.WARN, { message: 'Connection timeout' }))).toBe(
      '[kafka ingest] Connection timeout\n',
    );
    expect(
      kafkaLogLine(
        'sink',
        entry(logLevel.ERROR, {
          message: 'Response Produce(key: 0, version: 7)',
          error: 'Broker not available',
        }),
      ),
    ).toBe('[kafka sink] Response Produce(key: 0, version: 7): Broker not available\n');
  });

  it('prints the cause when kafkajs passes it as an Error', () => {
    expect(
      kafkaLogLine(
        'sink',
        entry(logLevel.ERROR, { message: 'Error when calling eachBatch', error: new Error('boom') }),
      ),
    ).toBe('[kafka sink] Error when calling eachBatch: boom\n');
  });

  it('prints nothing below WARN', () => {
    expect(
      kafkaLogLine('ingest', entry(logLevel.INFO, { message: 'Consumer has joined the group' })),
    ).toBeNull();
  });

  it('drops the transaction races kafkajs retries by itself, in either shape it logs them', () => {
    const race =
      'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    expect(
      kafkaLogLine('demo', entry(logLevel.ERROR, { message: `Failed to send messages: ${race}` })),
    ).toBeNull();
    expect(
      kafkaLogLine(
        'demo',
        entry(logLevel.ERROR, { message: 'Response AddPartitionsToTxn(key: 24, version: 1)', error: race }),
      ),
    ).toBeNull();
    expect(
      kafkaLogLine(
        'api',
        entry(logLevel.ERROR, {
          message: 'Response CreateTopics(key: 19, version: 3)',
          error: 'Topic creation errors',
        }),
      ),
    ).toBeNull();
    expect(
      kafkaLogLine(
        'ingest',
        entry(logLevel.ERROR, {
          message: 'The group is rebalancing, re-joining',
          error: 'The group is rebalancing, so a rejoin is needed',
        }),
      ),
    ).toBeNull();
    // A fenced producer is not a race: it still prints.
    expect(
      kafkaLogLine(
        'demo',
        entry(logLevel.ERROR, {
          message: 'Response EndTxn(key: 26, version: 1)',
          error: 'Producer attempted an operation with an old epoch',
        }),
      ),
    ).toContain('old epoch');
  });
});
