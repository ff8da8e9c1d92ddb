// The Patterns tab: what goes with success and good ratings. Save methods and parameters as
// success-rate bars, prompts as a scatter of success rate against mean rating; every chart with
// tables of the same numbers.
import type { OutcomeRow, ParameterStats } from '../../../core/analytics/types';
import { h } from '../../shared/ui/dom';
import { empty, table, type Cell } from './tables';
import type { TabContext } from './tabs';

const PARAMETER_TITLES: Record<keyof ParameterStats, string> = {
  aspect_ratio: 'Aspect ratio',
  model: 'Model',
  safety_tolerance: 'Safety tolerance',
  seed: 'Seed',
};
const PARAMETERS = Object.keys(PARAMETER_TITLES) as Array<keyof ParameterStats>;

const section = (title: string, ...children: Array<Node | false>) => h('section', { class: 'block' }, h('h2', {}, title), ...children);
const percent = (value: number | null) => (value === null ? null : `${value}%`);

function outcomeTable(id: string, caption: string, heading: string, rows: OutcomeRow[]): HTMLElement {
  const cells: Cell[][] = rows.map((row) => [row.value, row.attempts, row.successes, row.failures, percent(row.success_rate), row.rated, row.mean_rating]);
  return table(id, caption, [heading, 'Attempts', 'Succeeded', 'Failed', 'Success rate', 'Rated', 'Mean rating'], cells);
}

export function patternsTab({ analytics, board, palette }: TabContext): HTMLElement[] {
  const { save_methods: saveMethods, parameters, correlation } = analytics;
  if (parameters.model.length === 0) {
    return [empty('patterns-empty', 'The generation log has no attempts yet.')];
  }
  const methods = saveMethods.filter((row) => row.attempts > 0);
  const saveChart = board.bar(
    {
      id: 'save-method-chart',
      description: `Success rate per save method: ${methods.map((row) => `${row.value} ${row.success_rate}%`).join(', ')}`,
      labels: methods.map((row) => row.value),
      series: [{ label: 'Success rate (%)', values: methods.map((row) => row.success_rate ?? 0), colour: palette.green }],
      horizontal: true,
      max: 100,
    },
    palette,
  );
  const parameterRows = PARAMETERS.flatMap((name) => parameters[name].map((row) => ({ label: `${PARAMETER_TITLES[name]}: ${row.value}`, row })));
  const parameterChart = board.bar(
    {
      id: 'parameter-chart',
      description: `Success rate per parameter value: ${parameterRows.map(({ label, row }) => `${label} ${row.success_rate}%`).join(', ')}`,
      labels: parameterRows.map(({ label }) => label),
      series: [{ label: 'Success rate (%)', values: parameterRows.map(({ row }) => row.success_rate ?? 0), colour: palette.blue }],
      horizontal: true,
      max: 100,
      tall: parameterRows.length > 6,
    },
    palette,
  );
  const { points } = correlation;
  const scatter =
    points.length === 0
      ? empty('correlation-empty', `No prompt has ${correlation.min_attempts} attempts and ${correlation.min_rated} rated image yet.`)
      : board.scatter(
          {
            id: 'correlation-chart',
            description: `Success rate against mean rating per prompt: ${points.map((point) => `${point.prompt} ${point.success_rate}% ${point.mean_rating}`).join(', ')}`,
            points: points.map((point) => ({ x: point.success_rate, y: point.mean_rating, label: point.prompt })),
            x: { title: 'Success rate (%)', min: 0, max: 100 },
            y: { title: 'Mean rating (stars)', min: 1, max: 5 },
            colour: palette.purple,
          },
          palette,
        );
  return [
    section(
      'Save method: manual against auto',
      saveChart,
      outcomeTable('save-method-table', 'Attempts per save method (cancelled ones left out), with the ratings of their images', 'Save method', saveMethods),
    ),
    section(
      'Parameters',
      parameterChart,
      ...PARAMETERS.map((name) =>
        outcomeTable(
          `parameter-${name.replace('_', '-')}-table`,
          `Attempts per ${PARAMETER_TITLES[name].toLowerCase()}`,
          PARAMETER_TITLES[name],
          parameters[name],
        ),
      ),
    ),
    section(
      `Success rate and rating: Pearson r = ${correlation.pearson_r ?? '–'}, n = ${correlation.n}`,
      h(
        'p',
        { class: 'note', id: 'correlation-note' },
        `Over the ${correlation.n} of ${correlation.prompts} prompts with at least ${correlation.min_attempts} attempts and ${correlation.min_rated} rated image; r needs 3 prompts and some spread in both.`,
      ),
      scatter,
      points.length > 0 &&
        table(
          'correlation-table',
          'Prompts with enough data: success rate and the mean rating of their images',
          ['Prompt', 'Attempts', 'Success rate', 'Rated', 'Mean rating'],
          points.map((point) => [point.prompt, point.attempts, percent(point.success_rate), point.rated, point.mean_rating]),
        ),
    ),
  ];
}
