import { chiSquareSurvival, independenceTest } from '../support/chi-square';

describe('the chi-square test the shuffle test relies on', () => {
  it('when given textbook critical values, then it returns their tail probabilities', () => {
    expect(chiSquareSurvival(3.841459, 1)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(18.307038, 10)).toBeCloseTo(0.05, 6);
    expect(chiSquareSurvival(103.0095, 81)).toBeCloseTo(0.05, 4);
    expect(chiSquareSurvival(113.5124, 81)).toBeCloseTo(0.01, 4);
    // two degrees of freedom: exactly e^(-x/2), deep into the tail
    expect(chiSquareSurvival(40, 2) / Math.exp(-20)).toBeCloseTo(1, 9);
  });

  it('when positions did not move at all, then independence is rejected far beyond 1e-6', () => {
    const identity = Array.from({ length: 1_000 }, (_, i) => ({ from: i, to: i }));
    expect(independenceTest(identity, 10).p).toBeLessThan(1e-100);
  });
});
