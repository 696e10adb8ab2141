import { describe, expect, it } from 'vitest';
import { budgetDay, capDecision, quotaSubject, secondsUntilNextDay, withinQuota } from './rating-budget.ts';

describe('rating budgets', () => {
  it('learns a new rater while slots remain, lets a known rater re-rate for free, and caps the rest', () => {
    const today = new Set(['a']);
    expect(capDecision(today, 'a', 1)).toBe('again');
    expect(capDecision(today, 'b', 1)).toBe('capped');
    expect(capDecision(today, 'b', 2)).toBe('learn');
    expect(capDecision(new Set(), 'a', 0)).toBe('capped');
  });

  it('renews the quota at UTC midnight and charges a privileged token per user', () => {
    expect(budgetDay(Date.UTC(2024, 0, 31, 23, 59))).toBe('2024-01-31');
    expect(secondsUntilNextDay(Date.UTC(2024, 0, 31, 23, 59, 30))).toBe(30);
    expect(secondsUntilNextDay(Date.UTC(2024, 1, 1))).toBe(86_400);
    expect([withinQuota(2, 3), withinQuota(3, 3), withinQuota(1e9, 0)]).toEqual([true, false, true]);
    expect(quotaSubject('42', '42', false)).toBe('sub:42');
    expect(quotaSubject('relay', '42', true)).toBe('user:42');
  });
});
