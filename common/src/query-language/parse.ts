import { QuerySyntaxError, type QueryNode, type QueryValue, type RangeBound } from './ast.ts';

type Punctuation = 'lparen' | 'rparen' | 'lbracket' | 'rbracket' | 'lbrace' | 'rbrace' | 'colon';
type Token =
  | { type: Punctuation | 'and' | 'or' | 'not' | 'eof'; position: number }
  | { type: 'cmp'; op: '>' | '>=' | '<' | '<='; position: number }
  | { type: 'word'; text: string; pattern: string; wildcard: boolean; escaped: boolean; position: number }
  | { type: 'phrase'; text: string; position: number }
  | { type: 'regex'; pattern: string; caseInsensitive: boolean; position: number };

const PUNCTUATION: Record<string, Punctuation> = {
  '(': 'lparen',
  ')': 'rparen',
  '[': 'lbracket',
  ']': 'rbracket',
  '{': 'lbrace',
  '}': 'rbrace',
  ':': 'colon',
};
const OPERATOR_WORDS: Record<string, 'and' | 'or' | 'not'> = { and: 'and', or: 'or', not: 'not' };
/** Characters that end an unquoted word (a backslash makes any of them literal). */
const WORD_END = /[\s()[\]{}":<>]/;

function lex(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    const start = i;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c in PUNCTUATION) {
      tokens.push({ type: PUNCTUATION[c]!, position: start });
      i += 1;
    } else if (c === '>' || c === '<') {
      const op = input[i + 1] === '=' ? (`${c}=` as const) : c;
      tokens.push({ type: 'cmp', op, position: start });
      i += op.length;
    } else if ((input.startsWith('&&', i) || input.startsWith('||', i)) && !isWordChar(input[i + 2])) {
      tokens.push({ type: c === '&' ? 'and' : 'or', position: start });
      i += 2;
    } else if ((c === '-' || c === '!') && startsOperand(input[i + 1])) {
      tokens.push({ type: 'not', position: start });
      i += 1;
    } else if (c === '"') {
      const { text, end } = readQuoted(input, i);
      tokens.push({ type: 'phrase', text, position: start });
      i = end;
    } else if (c === '/') {
      const { pattern, caseInsensitive, end } = readRegex(input, i);
      tokens.push({ type: 'regex', pattern, caseInsensitive, position: start });
      i = end;
    } else {
      const word = readWord(input, i);
      const operator = word.escaped ? undefined : OPERATOR_WORDS[word.text.toLowerCase()];
      tokens.push(operator ? { type: operator, position: start } : { type: 'word', ...word, position: start });
      i = word.end;
    }
  }
  tokens.push({ type: 'eof', position: input.length });
  return tokens;
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && !WORD_END.test(c);
}

/** `-` and `!` negate only when glued to what follows: `-level:debug`, `!(a OR b)`. */
function startsOperand(c: string | undefined): boolean {
  return isWordChar(c) || c === '(' || c === '"';
}

function readQuoted(input: string, open: number): { text: string; end: number } {
  let text = '';
  for (let i = open + 1; i < input.length; i += 1) {
    const c = input[i]!;
    if (c === '"') return { text, end: i + 1 };
    if (c === '\\' && i + 1 < input.length) {
      i += 1;
      text += input[i];
    } else {
      text += c;
    }
  }
  throw new QuerySyntaxError("unterminated phrase: missing closing '\"' for the one", open);
}

function readRegex(input: string, open: number): { pattern: string; caseInsensitive: boolean; end: number } {
  let pattern = '';
  for (let i = open + 1; i < input.length; i += 1) {
    const c = input[i]!;
    if (c === '/') {
      const caseInsensitive = input[i + 1] === 'i' && !isWordChar(input[i + 2]);
      if (!caseInsensitive && isWordChar(input[i + 1])) {
        throw new QuerySyntaxError("unexpected characters after a regular expression (only the flag 'i' may follow)", i + 1);
      }
      return { pattern, caseInsensitive, end: i + 1 + (caseInsensitive ? 1 : 0) };
    }
    if (c === '\\' && input[i + 1] === '/') {
      pattern += '/';
      i += 1;
    } else if (c === '\\' && i + 1 < input.length) {
      pattern += c + input[i + 1];
      i += 1;
    } else {
      pattern += c;
    }
  }
  throw new QuerySyntaxError("unterminated regular expression: missing closing '/' for the one", open);
}

function readWord(input: string, start: number) {
  let text = '';
  let pattern = '';
  let wildcard = false;
  let escaped = false;
  let i = start;
  while (i < input.length && isWordChar(input[i])) {
    const c = input[i]!;
    if (c === '\\') {
      if (i + 1 >= input.length) throw new QuerySyntaxError('a backslash must escape a character', i);
      const literal = input[i + 1]!;
      text += literal;
      pattern += /[*?\\]/.test(literal) ? `\\${literal}` : literal;
      escaped = true;
      i += 2;
    } else {
      if (c === '*' || c === '?') wildcard = true;
      text += c;
      pattern += c;
      i += 1;
    }
  }
  return { text, pattern, wildcard, escaped, end: i };
}

function describe(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'end of query';
    case 'word':
      return `'${token.text}'`;
    case 'phrase':
      return 'a quoted phrase';
    case 'regex':
      return 'a regular expression';
    case 'cmp':
      return `'${token.op}'`;
    case 'and':
    case 'or':
    case 'not':
      return token.type.toUpperCase();
    default:
      return `'${Object.keys(PUNCTUATION).find((k) => PUNCTUATION[k] === token.type)}'`;
  }
}

/**
 * Recursive descent over the tokens. Precedence from loose to tight: OR, AND (also implicit
 * between adjacent clauses), NOT. Inside `field:( … )` bare values take that field.
 */
/** Parentheses and NOTs nested deeper than this are refused (the parser recurses on them). */
const MAX_DEPTH = 64;

class Parser {
  private index = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): QueryNode {
    if (this.peek().type === 'eof') return { type: 'all' };
    const node = this.parseOr(null);
    const next = this.peek();
    if (next.type !== 'eof') throw new QuerySyntaxError(`unexpected ${describe(next)}`, next.position);
    return node;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.index += 1;
    return token;
  }

  private startsClause(token: Token): boolean {
    return ['word', 'phrase', 'regex', 'lparen', 'not'].includes(token.type);
  }

  private parseOr(field: FieldContext | null): QueryNode {
    const children = [this.parseAnd(field)];
    while (this.peek().type === 'or') {
      const operator = this.next();
      this.expectClause(operator, 'OR');
      children.push(this.parseAnd(field));
    }
    return children.length === 1 ? children[0]! : { type: 'or', children };
  }

  private parseAnd(field: FieldContext | null): QueryNode {
    const children = [this.parseUnary(field)];
    for (;;) {
      const token = this.peek();
      if (token.type === 'and') {
        this.next();
        this.expectClause(token, 'AND');
      } else if (!this.startsClause(token)) {
        break;
      }
      children.push(this.parseUnary(field));
    }
    return children.length === 1 ? children[0]! : { type: 'and', children };
  }

  private expectClause(operator: Token, name: string): void {
    const next = this.peek();
    if (!this.startsClause(next)) {
      throw new QuerySyntaxError(`expected a clause after ${name} (at ${operator.position}), found ${describe(next)}`, next.position);
    }
  }

  private parseUnary(field: FieldContext | null): QueryNode {
    const token = this.peek();
    if (this.depth >= MAX_DEPTH) throw new QuerySyntaxError(`nested more than ${MAX_DEPTH} levels deep`, token.position);
    this.depth += 1;
    try {
      if (token.type === 'not') {
        this.next();
        this.expectClause(token, 'NOT');
        return { type: 'not', child: this.parseUnary(field) };
      }
      return this.parsePrimary(field);
    } finally {
      this.depth -= 1;
    }
  }

  private parsePrimary(field: FieldContext | null): QueryNode {
    const token = this.next();
    if (token.type === 'lparen') {
      const inner = this.parseOr(field);
      this.expectClosing(token, 'rparen', "')'");
      return inner;
    }
    if (token.type === 'word') {
      const following = this.peek();
      if (following.type === 'colon' || following.type === 'cmp') {
        return this.parseFieldClause({ name: token.text, position: token.position });
      }
    }
    if (token.type === 'word' || token.type === 'phrase' || token.type === 'regex') {
      return this.valueNode(field, token);
    }
    throw new QuerySyntaxError(`unexpected ${describe(token)}`, token.position);
  }

  private valueNode(field: FieldContext | null, token: Token & { type: 'word' | 'phrase' | 'regex' }): QueryNode {
    if (token.type === 'word' && token.text === '*' && !token.escaped) {
      return field ? { type: 'exists', field: field.name, fieldPosition: field.position } : { type: 'all' };
    }
    return {
      type: 'match',
      field: field?.name ?? null,
      fieldPosition: field?.position ?? token.position,
      value: toValue(token),
      position: token.position,
    };
  }

  private expectClosing(open: Token, type: Token['type'], text: string): void {
    const token = this.peek();
    if (token.type !== type) {
      throw new QuerySyntaxError(`expected ${text} to close the one at position ${open.position}, found ${describe(token)}`, token.position);
    }
    this.next();
  }

  private parseFieldClause(field: FieldContext): QueryNode {
    let token = this.next();
    if (token.type === 'colon') {
      const afterColon = this.peek();
      if (afterColon.type === 'cmp') {
        token = this.next();
      } else if (afterColon.type === 'lparen') {
        const open = this.next();
        const inner = this.parseOr(field);
        this.expectClosing(open, 'rparen', "')'");
        return inner;
      } else if (afterColon.type === 'lbracket' || afterColon.type === 'lbrace') {
        return this.parseRange(field);
      } else if (afterColon.type === 'word' || afterColon.type === 'phrase' || afterColon.type === 'regex') {
        return this.valueNode(field, this.next() as Token & { type: 'word' | 'phrase' | 'regex' });
      } else {
        throw new QuerySyntaxError(`expected a value after '${field.name}:', found ${describe(afterColon)}`, afterColon.position);
      }
    }
    if (token.type !== 'cmp') throw new QuerySyntaxError(`unexpected ${describe(token)}`, token.position);
    const bound = this.rangeValue(`'${token.op}'`);
    if (bound === undefined) throw new QuerySyntaxError(`'*' cannot be compared with '${token.op}'`, this.peek(-1).position);
    const inclusive = token.op.endsWith('=');
    return token.op.startsWith('>')
      ? { type: 'range', field: field.name, fieldPosition: field.position, lower: { ...bound, inclusive } }
      : { type: 'range', field: field.name, fieldPosition: field.position, upper: { ...bound, inclusive } };
  }

  /** `[a TO b]`, `{a TO b}` or a mix; `*` leaves that end open. */
  private parseRange(field: FieldContext): QueryNode {
    const open = this.next();
    const lower = this.rangeValue("'['");
    const to = this.next();
    if (to.type !== 'word' || to.text !== 'TO') {
      throw new QuerySyntaxError(`expected TO in the range opened at position ${open.position}, found ${describe(to)}`, to.position);
    }
    const upper = this.rangeValue('TO');
    const close = this.next();
    if (close.type !== 'rbracket' && close.type !== 'rbrace') {
      throw new QuerySyntaxError(`expected ']' or '}' to close the range opened at position ${open.position}, found ${describe(close)}`, close.position);
    }
    return {
      type: 'range',
      field: field.name,
      fieldPosition: field.position,
      ...(lower && { lower: { ...lower, inclusive: open.type === 'lbracket' } }),
      ...(upper && { upper: { ...upper, inclusive: close.type === 'rbracket' } }),
    };
  }

  /** A range end: a word or a phrase; undefined for an open end (`*`). */
  private rangeValue(after: string): Omit<RangeBound, 'inclusive'> | undefined {
    const token = this.next();
    if (token.type === 'word') return token.text === '*' && !token.escaped ? undefined : { value: token.text, position: token.position };
    if (token.type === 'phrase') return { value: token.text, position: token.position };
    throw new QuerySyntaxError(`expected a value after ${after}, found ${describe(token)}`, token.position);
  }
}

interface FieldContext {
  name: string;
  position: number;
}

function toValue(token: Token & { type: 'word' | 'phrase' | 'regex' }): QueryValue {
  if (token.type === 'phrase') return { kind: 'phrase', text: token.text };
  if (token.type === 'regex') return { kind: 'regex', pattern: token.pattern, caseInsensitive: token.caseInsensitive };
  return { kind: 'term', text: token.text, pattern: token.pattern, wildcard: token.wildcard };
}

/** Parses a query of the Lucene/KQL kind; throws a QuerySyntaxError with the character position. */
export function parseQuery(input: string): QueryNode {
  return new Parser(lex(input)).parse();
}
