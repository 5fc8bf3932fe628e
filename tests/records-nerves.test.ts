import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogProblems, describeTarget, findNerve, MAX_TARGET_CHARS, NERVES, parseTarget, TargetError } from '../src/records/nerves.js';
import type { Nerve } from '../src/records/nerves.js';

describe('the nerve catalog', () => {
  it('has no problems: ids unique and kebab-case, every text filled in', () => {
    expect(catalogProblems(NERVES)).toEqual([]);
  });

  it('names a duplicated id and a malformed one', () => {
    const sural = findNerve('sural') as Nerve;
    const problems = catalogProblems([sural, { ...sural }, { ...sural, id: 'Sural_Nerve' }]);
    expect(problems).toEqual(["nerves[1].id: 'sural' is used twice", "nerves[2].id: 'Sural_Nerve' is not kebab-case"]);
  });

  it('names an empty territory', () => {
    const sural = findNerve('sural') as Nerve;
    expect(catalogProblems([{ ...sural, territory: ' ' }])).toEqual(["nerves[0].territory: empty (nerve 'sural')"]);
  });

  it('names a motor flag its note contradicts', () => {
    const sural = findNerve('sural') as Nerve;
    expect(catalogProblems([{ ...sural, motor: true }])).toEqual(["nerves[0].motorNote: 'sensory only' contradicts motor: true (nerve 'sural')"]);
    const genitofemoral = findNerve('genitofemoral') as Nerve;
    expect(catalogProblems([{ ...genitofemoral, motor: false }])).toHaveLength(1);
  });

  it('holds every nerve the issue names', () => {
    const required = [
      'infrapatellar-saphenous', 'anterior-femoral-cutaneous', 'lateral-femoral-cutaneous', 'superficial-peroneal', 'sural', 'intercostal',
      'intercostobrachial', 'ilioinguinal', 'iliohypogastric', 'genitofemoral', 'superficial-radial', 'greater-occipital', 'lesser-occipital',
    ];
    expect(required.filter((id) => findNerve(id) === undefined)).toEqual([]);
  });

  // The one serious harm reported is a motor nerve frozen by mistake: these carry motor fibres
  // somewhere along their course, and the catalog must say so and where.
  it.each(['superficial-peroneal', 'intercostal', 'ilioinguinal', 'iliohypogastric', 'genitofemoral', 'greater-occipital'])('marks %s as carrying motor fibres, with a note saying where', (id) => {
    const nerve = findNerve(id) as Nerve;
    expect(nerve.motor).toBe(true);
    expect(nerve.motorNote).not.toMatch(/^sensory/);
  });

  it.each(['infrapatellar-saphenous', 'lateral-femoral-cutaneous', 'sural', 'intercostobrachial', 'lesser-occipital', 'superficial-radial'])('marks %s as sensory', (id) => {
    expect(findNerve(id)?.motor).toBe(false);
  });

  it('claims no SNOMED CT body-structure code it could not check', () => {
    expect(NERVES.filter((n) => n.snomedBodyStructure !== null)).toEqual([]);
  });
});

describe('parseTarget', () => {
  it('reads NERVE:SIDE', () => {
    expect(parseTarget('sural:left')).toEqual({ nerveId: 'sural', side: 'left' });
    expect(parseTarget('genitofemoral:right')).toEqual({ nerveId: 'genitofemoral', side: 'right' });
  });

  it('refuses an unknown nerve, naming the field and value and listing the ids', () => {
    expect(() => parseTarget('surl:left')).toThrow(TargetError);
    expect(() => parseTarget('surl:left')).toThrow(/^target: 'surl:left': unknown nerve 'surl' \(known: infrapatellar-saphenous, .*sural.*lesser-occipital\)$/);
  });

  it('refuses an unknown side, listing the sides', () => {
    expect(() => parseTarget('sural:both')).toThrow("target: 'sural:both': side 'both' is not one of left, right");
  });

  it.each(['sural', 'sural:left:x', '', ':left', 'Sural:Left'])('refuses %j', (text) => {
    expect(() => parseTarget(text)).toThrow(/^target: /);
  });

  it('cuts an over-long value short in its message', () => {
    const long = `sural:${'x'.repeat(500)}`;
    let message = '';
    try {
      parseTarget(long);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/is not NERVE:SIDE/);
    expect(message.length).toBeLessThan(MAX_TARGET_CHARS + 80);
  });

  it('describes a target by name and side', () => {
    expect(describeTarget({ nerveId: 'sural', side: 'left' })).toBe('Sural nerve, left');
    expect(describeTarget({ nerveId: 'gone', side: 'right' })).toBe("unknown nerve 'gone', right");
  });
});

describe('docs/records-cli.md', () => {
  it('tables the catalog exactly as the code has it', () => {
    const doc = readFileSync('docs/records-cli.md', 'utf8');
    const section = doc.slice(doc.indexOf('### The catalog'));
    expect(section.length).toBeLessThan(doc.length);
    const rows = section
      .split('\n')
      .filter((l) => /^\| `[a-z-]+` \|/.test(l));
    const expected = NERVES.map((n) => `| \`${n.id}\` | ${n.name} | ${n.territory} | ${n.motor ? '**yes**: ' : 'no: '}${n.motorNote} |`);
    expect(rows).toEqual(expected);
  });
});
