// --help text and the README's option list, both from the tables.
import { ANSWER_NAMES, ANSWER_SPECS } from '../answers/table.js';
import { COMMAND_NAMES, COMMANDS, type CommandName } from './commands.js';

function column(rows: Array<[string, string]>): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

export function helpText(command: CommandName, version: string): string {
  const spec = COMMANDS[command];
  const lines = [`cruddur-observability ${version}`, '', `Usage: ${spec.usage}`, '', spec.summary, ''];
  if (command === 'app') {
    lines.push('Commands:');
    lines.push(...column(COMMAND_NAMES.map((name) => [name, COMMANDS[name].summary])));
    lines.push('');
  }
  if (spec.takesAnswers) {
    lines.push('Answers (stored in .yo-rc.json):');
    lines.push(
      ...column(
        ANSWER_NAMES.map((name) => {
          const a = ANSWER_SPECS[name];
          return [`--${a.flag} <value>`, `${a.description} (default: ${a.defaultText})`];
        }),
      ),
    );
    lines.push('');
  }
  lines.push('Options:');
  lines.push(
    ...column([
      ...spec.flags.map((f): [string, string] => [
        `${f.short ? `-${f.short}, ` : ''}--${f.flag}${f.value ? ` <${f.value}>` : ''}`,
        f.description,
      ]),
      ['-h, --help', 'Show this help'],
      ['-v, --version', 'Show the version'],
    ]),
  );
  return lines.join('\n') + '\n';
}

/** Markdown tables for the README (kept in sync by a test). */
export function readmeOptions(): string {
  const out = [
    '| answer flag | default | what | used in |',
    '| --- | --- | --- | --- |',
    ...ANSWER_NAMES.map((name) => {
      const a = ANSWER_SPECS[name];
      return `| \`--${a.flag}\` | ${a.defaultText} | ${a.description} | ${a.usedIn} |`;
    }),
    '',
  ];
  for (const name of COMMAND_NAMES) {
    const spec = COMMANDS[name];
    out.push(`\`${spec.usage}\`: ${spec.summary}.`, '');
    out.push('| flag | what |', '| --- | --- |');
    out.push(
      ...spec.flags.map(
        (f) =>
          `| ${f.short ? `\`-${f.short}\`, ` : ''}\`--${f.flag}${f.value ? ` <${f.value}>` : ''}\` | ${f.description} |`,
      ),
    );
    out.push('');
  }
  return out.join('\n');
}
