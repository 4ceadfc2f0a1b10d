/** A small experiment's Inspector data, built by the real buildInspectorData, for the renderer's tests. */
import { buildInspectorData, type InspectorData } from '../../../src-shared/inspector.ts';

/**
 * Classes: 0 'Siberian husky' many, 1 'malamute' many (no test samples), 2 'Café dog' medium (no
 * training samples), 3 'Eskimo dog' few (neighbours 0, 1), 4 'dingo' few (neighbours 1, 2).
 * Eskimo dog: baseline 1/4, runs 3/4 and 2/4 (Δ 0.375, mean distance 2); dingo: 0/2, 1/2, 2/2 (Δ 0.75, distance 3).
 */
export function toyInspectorData(): InspectorData {
  return buildInspectorData({
    dataset: { key: 'toy', displayName: 'Toy' },
    experiment: 'toy exp',
    classNames: ['Siberian husky', 'malamute', 'Café dog', 'Eskimo dog', 'dingo'],
    wnids: null,
    splitOf: ['many', 'many', 'medium', 'few', 'few'],
    trainSamplesPerClass: [100, 80, 0, 5, 3],
    testLabels: [0, 0, 2, 3, 3, 3, 3, 4, 4],
    baseline: { runId: 7, predictions: [0, 0, 2, 0, 0, 1, 3, 2, 2] },
    runs: [
      {
        id: 8,
        seed: 1,
        predictions: [0, 3, 2, 3, 3, 0, 3, 4, 2],
        alphas: new Map([
          [3, [-0.18, 0.5]],
          [4, [1, 0]],
        ]),
      },
      {
        id: 9,
        seed: 2,
        predictions: [0, 0, 2, 3, 0, 1, 3, 4, 4],
        alphas: new Map([
          [3, [-0.22, 0.3]],
          [4, [0.2, 0.8]],
        ]),
      },
    ],
    neighbours: new Map([
      [3, { classes: [0, 1], distances: [1, 3] }],
      [4, { classes: [1, 2], distances: [2, 4] }],
    ]),
    distanceMetric: 'euclidean',
    wordnet: null,
  });
}
