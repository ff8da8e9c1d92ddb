// Five of the tabs (the sixth is patternsTab.ts): each draws core's numbers as a chart and the same numbers as tables.
import { workSummary } from '../../../core/analytics/labels';
import type { Analytics, RatedImage, RatingGroup } from '../../../core/analytics/types';
import { CATEGORIES, CATEGORY_LABELS, TRAINING_CATEGORIES } from '../../../core/manifest/categories';
import { formatCost } from '../../../core/plan/cost';
import { h } from '../../shared/ui/dom';
import { ChartBoard, Palette } from './charts';
import { empty, table } from './tables';

/** Bars in the usage chart: the most used prompts (the table lists them all). */
const USAGE_CHART_PROMPTS = 15;

export interface TabContext {
  analytics: Analytics;
  board: ChartBoard;
  palette: Palette;
}

const section = (title: string, ...children: Array<Node | false>) => h('section', { class: 'block' }, h('h2', {}, title), ...children);
const cost = (amount: number | null, currency: string) => formatCost(amount ?? undefined, currency, 4);

export function usageTab({ analytics, board, palette }: TabContext): HTMLElement[] {
  const { usage } = analytics;
  const used = usage.prompts
    .filter((row) => row.total > 0)
    .sort((a, b) => b.used - a.used || b.total - a.total)
    .slice(0, USAGE_CHART_PROMPTS);
  const scopeLabel = analytics.actor_id === null ? 'Used' : `Used by ${analytics.actor_id}`;
  const chart =
    used.length === 0
      ? empty('usage-empty', 'No image records a prompt yet.')
      : board.bar(
          {
            id: 'usage-chart',
            description: `Most used prompts: ${used.map((row) => `${row.id} ${row.used}`).join(', ')}`,
            labels: used.map((row) => row.id),
            series: [
              { label: scopeLabel, values: used.map((row) => row.used), colour: palette.blue },
              ...(analytics.actor_id === null ? [] : [{ label: 'All actors', values: used.map((row) => row.total), colour: palette.purple }]),
            ],
            horizontal: true,
            integers: true,
            tall: true,
          },
          palette,
        );
  const rows = usage.prompts.map((row) => [row.id, CATEGORY_LABELS[row.category], row.used, row.total, Object.keys(row.by_actor).length]);
  return [
    section(
      'Prompt use',
      chart,
      table(
        'usage-table',
        `Every prompt: ${scopeLabel.toLowerCase()}, across all actors, and by how many actors`,
        ['Prompt', 'Category', 'Used', 'Total', 'Actors'],
        rows,
      ),
    ),
    section(
      'What to use next',
      table(
        'least-used-table',
        'Least used prompts per category',
        ['Category', 'Prompts'],
        TRAINING_CATEGORIES.map((category) => [CATEGORY_LABELS[category], usage.least_used[category].join(', ') || null]),
      ),
      h(
        'p',
        { id: 'unused-prompts' },
        `Unused: ${usage.unused.length} of ${usage.prompts.length} prompts`,
        usage.unused.length > 0 ? ` (${usage.unused.join(', ')})` : '',
      ),
      Object.keys(usage.unlisted).length > 0 &&
        h(
          'p',
          { id: 'unlisted-prompts' },
          `Used but not in the library: ${Object.entries(usage.unlisted)
            .map(([id, count]) => `${id} (${count}×)`)
            .join(', ')}`,
        ),
    ),
  ];
}

function ratedTable(id: string, caption: string, images: RatedImage[]): HTMLElement {
  const rows = images.map((image) => [image.stars, image.actor_id, image.filename, image.prompt, image.feedback]);
  return table(id, caption, ['Stars', 'Actor', 'Image', 'Prompt', 'Feedback'], rows, { whenEmpty: `${caption}: none.` });
}

export function qualityTab({ analytics, board, palette }: TabContext): HTMLElement[] {
  const { quality } = analytics;
  const stars = ['1', '2', '3', '4', '5'] as const;
  const chart =
    quality.rated === 0
      ? empty('quality-empty', 'No image is rated yet.')
      : board.bar(
          {
            id: 'rating-chart',
            description: `Rated images by stars: ${stars.map((star) => `${star} stars ${quality.distribution[star]}`).join(', ')}`,
            labels: stars.map((star) => `${star} ★`),
            series: [{ label: 'Images', values: stars.map((star) => quality.distribution[star]), colour: palette.yellow }],
            integers: true,
          },
          palette,
        );
  const measure = (label: string, pick: (group: RatingGroup) => number | null, difference: number | null) => [
    label,
    pick(quality.high),
    pick(quality.low),
    difference,
  ];
  const comparison = [
    measure('Images', (group) => group.images, null),
    measure('Mean length (characters)', (group) => group.mean_length, quality.difference.length),
    measure('Mean words', (group) => group.mean_word_count, quality.difference.word_count),
    measure('Mean special characters', (group) => group.mean_special_characters, quality.difference.special_characters),
    ...CATEGORIES.map((category) => measure(CATEGORY_LABELS[category], (group) => group.categories[category], null)),
  ];
  return [
    section(
      `Ratings: ${quality.rated} rated, mean ${quality.mean_stars ?? '–'} stars`,
      chart,
      table(
        'rating-table',
        'Rated images by stars',
        ['Stars', 'Images'],
        stars.map((star) => [`${star} stars`, quality.distribution[star]]),
        { footer: ['Rated', quality.rated] },
      ),
    ),
    section(
      'High versus low rated prompts',
      table('quality-comparison', 'Prompts of images rated 4–5 and 1–3', ['Measure', 'High (4–5)', 'Low (1–3)', 'Difference'], comparison),
    ),
    section('High rated', ratedTable('high-rated', 'Images rated 4 or 5', quality.high.prompts)),
    section('Low rated', ratedTable('low-rated', 'Images rated 1 to 3', quality.low.prompts)),
  ];
}

export function failuresTab({ analytics, board, palette }: TabContext): HTMLElement[] {
  const { failures } = analytics;
  const reasons = Object.entries(failures.by_reason).filter(([, count]) => count > 0);
  const reasonChart =
    reasons.length === 0
      ? empty('failures-empty', failures.attempts === 0 ? 'The generation log has no attempts yet.' : 'No attempt failed.')
      : board.bar(
          {
            id: 'failure-reason-chart',
            description: `Failures by reason: ${reasons.map(([reason, count]) => `${reason} ${count}`).join(', ')}`,
            labels: reasons.map(([reason]) => reason),
            series: [{ label: 'Failures', values: reasons.map(([, count]) => count), colour: palette.red }],
            integers: true,
          },
          palette,
        );
  const dayChart =
    failures.by_day.length > 0 &&
    board.bar(
      {
        id: 'attempts-by-day-chart',
        description: `Attempts per day: ${failures.by_day.map((day) => `${day.day} ${day.successes} succeeded, ${day.failures} failed`).join('; ')}`,
        labels: failures.by_day.map((day) => day.day),
        series: [
          { label: 'Succeeded', values: failures.by_day.map((day) => day.successes), colour: palette.green },
          { label: 'Failed', values: failures.by_day.map((day) => day.failures), colour: palette.red },
        ],
        stacked: true,
        integers: true,
      },
      palette,
    );
  return [
    section(
      `Failures: ${failures.failures} of ${failures.attempts} attempts`,
      reasonChart,
      reasons.length > 0 &&
        table(
          'failure-reason-table',
          'Failures by reason',
          ['Reason', 'Failures'],
          reasons.map(([reason, count]) => [reason, count]),
        ),
    ),
    section(
      'Failure rate per model',
      table(
        'failure-model-table',
        'Attempts per model; the rate leaves cancellations out',
        ['Model', 'Succeeded', 'Failed', 'Cancelled', 'Failure rate'],
        failures.by_model.map((row) => [row.model, row.successes, row.failures, row.cancelled, row.failure_rate === null ? null : `${row.failure_rate}%`]),
        { whenEmpty: 'No model was used yet.' },
      ),
    ),
    section(
      'Over time',
      dayChart,
      failures.by_day.length > 0 &&
        table(
          'attempts-by-day-table',
          'Attempts per day (UTC)',
          ['Day', 'Succeeded', 'Failed'],
          failures.by_day.map((day) => [day.day, day.successes, day.failures]),
        ),
    ),
  ];
}

export function balanceTab({ analytics, board, palette }: TabContext): HTMLElement[] {
  const { balance } = analytics;
  const goal = balance.target.per_category;
  const colours = { photorealistic: palette.blue, bw_stylized: palette.foreground, color_stylized: palette.orange, unknown: palette.purple };
  const chart =
    balance.actors.length === 0
      ? empty('balance-empty', 'There are no actors yet.')
      : board.bar(
          {
            id: 'balance-chart',
            description: `Images per category and actor against ${TRAINING_CATEGORIES.map((category) => goal[category]).join('/')}`,
            labels: balance.actors.map((actor) => actor.actor_id),
            series: CATEGORIES.map((category) => ({
              label: CATEGORY_LABELS[category],
              values: balance.actors.map((actor) => actor.counts[category]),
              colour: colours[category],
            })),
            horizontal: true,
            stacked: true,
            integers: true,
            tall: balance.actors.length > 6,
          },
          palette,
        );
  const rows = balance.actors.map((actor) => [
    actor.actor_id,
    ...TRAINING_CATEGORIES.map((category) => `${actor.counts[category]}/${goal[category]}`),
    actor.counts.unknown,
    actor.work,
    workSummary(actor),
  ]);
  return [
    section(
      `Balance: target ${balance.target.total} = ${TRAINING_CATEGORIES.map((category) => goal[category]).join(' / ')}; ${balance.need_work.length} of ${balance.actors.length} actors need work`,
      chart,
      table(
        'balance-table',
        'Images per category against the target, most work first',
        ['Actor', 'Photorealistic', 'B&W stylized', 'Colour stylized', 'Unclassified', 'Work', 'Needs'],
        rows,
      ),
    ),
  ];
}

export function spendTab({ analytics, board, palette }: TabContext): HTMLElement[] {
  const { spend } = analytics;
  const priced = [
    ...spend.generations.map((row) => ({ label: row.model, cost: row.estimated_cost, kind: 'generation' })),
    ...spend.evaluations.map((row) => ({ label: row.model, cost: row.estimated_cost, kind: 'evaluation' })),
  ].filter((row) => row.cost !== null);
  const chart =
    priced.length === 0
      ? empty('spend-empty', 'Nothing was generated or evaluated with a priced model yet.')
      : board.bar(
          {
            id: 'spend-chart',
            description: `Estimated cost per model: ${priced.map((row) => `${row.label} ${cost(row.cost, spend.currency)}`).join(', ')}`,
            labels: priced.map((row) => row.label),
            series: [
              { label: `Generations (${spend.currency})`, values: priced.map((row) => (row.kind === 'generation' ? row.cost! : 0)), colour: palette.blue },
              { label: `Evaluations (${spend.currency})`, values: priced.map((row) => (row.kind === 'evaluation' ? row.cost! : 0)), colour: palette.green },
            ],
            horizontal: true,
            stacked: true,
          },
          palette,
        );
  const { totals } = spend;
  return [
    section(`Estimated spend: ${cost(totals.estimated_cost, spend.currency)}`, chart, h('p', { class: 'note', id: 'spend-note' }, spend.note)),
    section(
      'Generations',
      table(
        'generation-spend-table',
        'Successful generations per model',
        ['Model', 'Images', 'Per image', 'Estimated cost'],
        spend.generations.map((row) => [row.model, row.images, cost(row.per_image, spend.currency), cost(row.estimated_cost, spend.currency)]),
        { footer: ['Total', totals.images, null, cost(totals.generation_cost, spend.currency)], whenEmpty: 'No generation in the log yet.' },
      ),
    ),
    section(
      'Evaluations',
      table(
        'evaluation-spend-table',
        'Vision model use recorded in the plans',
        ['Model', 'Requests', 'Prompt tokens', 'Completion tokens', 'Estimated cost'],
        spend.evaluations.map((row) => [row.model, row.requests, row.prompt_tokens, row.completion_tokens, cost(row.estimated_cost, spend.currency)]),
        {
          footer: ['Total', totals.evaluation_requests, null, null, cost(totals.evaluation_cost, spend.currency)],
          whenEmpty: 'No plan records a vision model’s use.',
        },
      ),
      totals.unpriced_models.length > 0 &&
        h('p', { class: 'note', id: 'unpriced' }, `No price is known for ${totals.unpriced_models.join(', ')}: left out of the totals.`),
    ),
  ];
}
