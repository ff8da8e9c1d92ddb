import type { Analytics } from '../../core/analytics/analytics';
import type { OutcomeRow } from '../../core/analytics/types';
import { workSummary } from '../../core/analytics/labels';
import { CATEGORIES, CATEGORY_LABELS, TRAINING_CATEGORIES } from '../../core/manifest/categories';
import { formatCost } from '../../core/plan/cost';
import { CliIO, table } from '../cliSupport';

const orDash = (value: number | null) => (value === null ? '-' : String(value));

/** Costs to hundredths of a cent: a vision request costs a fraction of one. */
const cost = (amount: number | null, currency: string) => formatCost(amount ?? undefined, currency, 4);

function printUsage(io: CliIO, { usage }: Analytics, scope: string): void {
  io.stdout(`USAGE (${scope})`);
  const rows = usage.prompts.map((row) => [
    row.id,
    CATEGORY_LABELS[row.category],
    String(row.used),
    String(row.total),
    String(Object.keys(row.by_actor).length),
  ]);
  io.stdout(table([['PROMPT', 'CATEGORY', 'USED', 'TOTAL', 'ACTORS'], ...rows]));
  io.stdout(`Unused: ${usage.unused.length} of ${usage.prompts.length} prompt(s)`);
  for (const [id, count] of Object.entries(usage.unlisted)) {
    io.stdout(`Used, not in the library: ${id} (${count}x)`);
  }
  io.stdout('Least used:');
  io.stdout(table(TRAINING_CATEGORIES.map((category) => [`  ${CATEGORY_LABELS[category]}`, usage.least_used[category].join(', ') || '-'])));
}

function printQuality(io: CliIO, { quality }: Analytics): void {
  io.stdout(`QUALITY: ${quality.rated} rated image(s), mean ${orDash(quality.mean_stars)} star(s)`);
  io.stdout(table([['STARS', 'IMAGES'], ...(['5', '4', '3', '2', '1'] as const).map((stars) => [stars, String(quality.distribution[stars])])]));
  const group = (name: string, value: Analytics['quality']['high']) => [
    name,
    String(value.images),
    orDash(value.mean_length),
    orDash(value.mean_word_count),
    orDash(value.mean_special_characters),
    CATEGORIES.map((category) => value.categories[category]).join('/'),
  ];
  const { difference } = quality;
  io.stdout(
    table([
      ['GROUP', 'IMAGES', 'MEAN LENGTH', 'MEAN WORDS', 'MEAN SPECIAL', 'PHOTO/B&W/COLOUR/UNCLASSIFIED'],
      group('high (4-5)', quality.high),
      group('low (1-3)', quality.low),
      ['high - low', '', orDash(difference.length), orDash(difference.word_count), orDash(difference.special_characters), ''],
    ]),
  );
}

function printFailures(io: CliIO, { failures }: Analytics): void {
  io.stdout(`FAILURES: ${failures.failures} of ${failures.attempts} attempt(s)`);
  const reasons = Object.entries(failures.by_reason).filter(([, count]) => count > 0);
  if (reasons.length > 0) {
    io.stdout(table([['REASON', 'COUNT'], ...reasons.map(([reason, count]) => [reason, String(count)])]));
  }
  if (failures.by_model.length > 0) {
    const rows = failures.by_model.map((row) => [
      row.model,
      String(row.successes),
      String(row.failures),
      String(row.cancelled),
      row.failure_rate === null ? '-' : `${row.failure_rate}%`,
    ]);
    io.stdout(table([['MODEL', 'SUCCESSES', 'FAILURES', 'CANCELLED', 'FAILURE RATE'], ...rows]));
  }
  if (failures.by_day.length > 0) {
    io.stdout(table([['DAY', 'SUCCESSES', 'FAILURES'], ...failures.by_day.map((row) => [row.day, String(row.successes), String(row.failures)])]));
  }
}

function printBalance(io: CliIO, { balance }: Analytics): void {
  const goal = balance.target.per_category;
  io.stdout(
    `BALANCE: target ${balance.target.total} = ${TRAINING_CATEGORIES.map((category) => goal[category]).join('/')}; ${balance.need_work.length} of ${balance.actors.length} actor(s) need work`,
  );
  const rows = balance.actors.map((actor) => [
    actor.actor_id,
    ...TRAINING_CATEGORIES.map((category) => `${actor.counts[category]}/${goal[category]}`),
    String(actor.counts.unknown),
    String(actor.work),
    workSummary(actor),
  ]);
  io.stdout(table([['ACTOR', 'PHOTO', 'B&W', 'COLOUR', 'UNCLASSIFIED', 'WORK', 'NEEDS'], ...rows]));
}

function printSpend(io: CliIO, { spend }: Analytics): void {
  io.stdout(`SPEND (estimated): ${cost(spend.totals.estimated_cost, spend.currency)}`);
  if (spend.generations.length > 0) {
    const rows = spend.generations.map((row) => [row.model, String(row.images), cost(row.per_image, spend.currency), cost(row.estimated_cost, spend.currency)]);
    io.stdout(
      table([
        ['GENERATION MODEL', 'IMAGES', 'PER IMAGE', 'COST'],
        ...rows,
        ['total', String(spend.totals.images), '', cost(spend.totals.generation_cost, spend.currency)],
      ]),
    );
  }
  if (spend.evaluations.length > 0) {
    const rows = spend.evaluations.map((row) => [
      row.model,
      String(row.requests),
      String(row.prompt_tokens + row.completion_tokens),
      cost(row.estimated_cost, spend.currency),
    ]);
    const total = [
      'total',
      String(spend.totals.evaluation_requests),
      String(spend.totals.evaluation_tokens),
      cost(spend.totals.evaluation_cost, spend.currency),
    ];
    io.stdout(table([['EVALUATION MODEL', 'REQUESTS', 'TOKENS', 'COST'], ...rows, total]));
  }
  if (spend.totals.unpriced_models.length > 0) {
    io.stdout(`No price known for: ${spend.totals.unpriced_models.join(', ')} (left out of the total)`);
  }
  io.stdout(spend.note);
}

const percent = (value: number | null) => (value === null ? '-' : `${value}%`);

function outcomeTable(heading: string, rows: OutcomeRow[]): string {
  const cells = rows.map((row) => [
    row.value,
    String(row.attempts),
    String(row.successes),
    percent(row.success_rate),
    String(row.rated),
    orDash(row.mean_rating),
  ]);
  return table([[heading, 'ATTEMPTS', 'SUCCESSES', 'SUCCESS RATE', 'RATED', 'MEAN RATING'], ...cells]);
}

function printPatterns(io: CliIO, { save_methods, parameters, correlation }: Analytics): void {
  io.stdout('SAVE METHOD (cancelled attempts left out)');
  io.stdout(outcomeTable('SAVE METHOD', save_methods));
  io.stdout('');
  io.stdout('PARAMETERS');
  if (parameters.model.length === 0) {
    io.stdout('No attempt in the log yet.');
  } else {
    io.stdout(outcomeTable('ASPECT RATIO', parameters.aspect_ratio));
    io.stdout(outcomeTable('MODEL', parameters.model));
    io.stdout(outcomeTable('SAFETY TOLERANCE', parameters.safety_tolerance));
    io.stdout(outcomeTable('SEED', parameters.seed));
  }
  io.stdout('');
  io.stdout(
    `SUCCESS RATE AND RATING: Pearson r ${orDash(correlation.pearson_r)} over n = ${correlation.n} of ${correlation.prompts} prompt(s) (each with ${correlation.min_attempts}+ attempts and ${correlation.min_rated}+ rated image(s))`,
  );
  if (correlation.points.length > 0) {
    const rows = correlation.points.map((point) => [
      point.prompt,
      String(point.attempts),
      percent(point.success_rate),
      String(point.rated),
      String(point.mean_rating),
    ]);
    io.stdout(table([['PROMPT', 'ATTEMPTS', 'SUCCESS RATE', 'RATED', 'MEAN RATING'], ...rows]));
  }
}

/** The readable report: one section per Analytics panel tab. */
export function printStats(io: CliIO, analytics: Analytics): void {
  const scope = analytics.actor_id ?? 'all actors';
  const sections = [printUsage, printQuality, printFailures, printBalance, printSpend, printPatterns];
  sections.forEach((print, position) => {
    if (position > 0) {
      io.stdout('');
    }
    print(io, analytics, scope);
  });
}
