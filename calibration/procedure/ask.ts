// Ask until the answer parses: a bad answer is re-asked with a message naming what is accepted.
import type { Answer } from './answers.js';
import type { CalibrationPrompt } from './types.js';

export async function askUntilValid<T>(prompt: CalibrationPrompt, question: string, parse: (answer: string) => Answer<T>): Promise<T> {
  for (;;) {
    const answer = parse(await prompt.ask(question));
    if (answer.ok) return answer.value;
    prompt.show(`  ${answer.message}`);
  }
}
