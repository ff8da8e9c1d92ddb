/** What an actor id like `0000_european_16_male` or `0005_south_asian_25_female` encodes. */
export interface ActorIdParts {
  index: number;
  /** The ethnicity's words joined by spaces: `south_asian` reads "south asian". */
  ethnicity: string;
  age: number;
  sex: string;
}

export type Descriptor = 'man' | 'woman' | 'person';

/** `<index>_<ethnicity words>_<age>_<sex>`: the ethnicity may be several words joined by `_`. */
const ACTOR_ID = /^(\d+)_([a-z][a-z-]*(?:_[a-z][a-z-]*)*)_(\d{1,3})_([a-z]+)$/i;

/** Whether a folder name follows the actor id convention (parseActorId without building the parts). */
export function followsActorIdConvention(id: string): boolean {
  return ACTOR_ID.test(id);
}

/** Parses an actor id; returns undefined for folder names that do not follow the convention. */
export function parseActorId(id: string): ActorIdParts | undefined {
  const match = ACTOR_ID.exec(id);
  if (!match) {
    return undefined;
  }
  return {
    index: Number(match[1]),
    ethnicity: match[2].toLowerCase().replaceAll('_', ' '),
    age: Number(match[3]),
    sex: match[4].toLowerCase(),
  };
}

const MALE = new Set(['male', 'man', 'm', 'boy']);
const FEMALE = new Set(['female', 'woman', 'f', 'girl']);

/** The word prompts use for the subject: "man", "woman" or, for anything else, "person". */
export function descriptorForSex(sex: string | undefined): Descriptor {
  const key = (sex ?? '').trim().toLowerCase();
  if (MALE.has(key)) {
    return 'man';
  }
  if (FEMALE.has(key)) {
    return 'woman';
  }
  return 'person';
}
