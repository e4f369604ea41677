// The journey-language parser: a chevrotain CstParser with error recovery, so one file yields
// every syntax error. Lowering to the typed AST lives in compiler/lower.ts.
import { CstParser, type CstNode, type IRecognitionException, type IToken } from "chevrotain";
import * as T from "./tokens.ts";

const K = T.Kw as Record<string, (typeof T.Kw)[string]> & {};
const kw = (w: string) => K[w]!;

/** Property statements that take an expression rather than arguments. */
export const EXPRESSION_STATEMENTS: ReadonlySet<string> = new Set(["assume", "expect"]);

class JourneyParser extends CstParser {
  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: "full" });
    this.performSelfAnalysis();
  }

  file = this.RULE("file", () => {
    this.MANY(() => {
      this.OR([
        { ALT: () => this.SUBRULE(this.journeyDecl) },
        { ALT: () => this.SUBRULE(this.conditionDecl) },
        { ALT: () => this.SUBRULE(this.testDecl) },
        { ALT: () => this.SUBRULE(this.propertyDecl) },
      ]);
    });
  });

  journeyDecl = this.RULE("journeyDecl", () => {
    this.CONSUME(kw("journey"));
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.clause));
    this.CONSUME(T.RBrace);
  });

  conditionDecl = this.RULE("conditionDecl", () => {
    this.CONSUME(kw("condition"));
    this.CONSUME(T.Identifier, { LABEL: "name" });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression, { LABEL: "body" });
  });

  clause = this.RULE("clause", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.titleClause) },
      { ALT: () => this.SUBRULE(this.purposeClause) },
      { ALT: () => this.SUBRULE(this.riskClause) },
      { ALT: () => this.SUBRULE(this.priorityClause) },
      { ALT: () => this.SUBRULE(this.onClause) },
      { ALT: () => this.SUBRULE(this.whenClause) },
      { ALT: () => this.SUBRULE(this.doClause) },
      { ALT: () => this.SUBRULE(this.capClause) },
      { ALT: () => this.SUBRULE(this.quietClause) },
      { ALT: () => this.SUBRULE(this.holdoutClause) },
      { ALT: () => this.SUBRULE(this.reviewClause) },
      { ALT: () => this.SUBRULE(this.reasonClause) },
    ]);
  });

  titleClause = this.RULE("titleClause", () => {
    this.CONSUME(kw("title"));
    this.CONSUME(T.StringLit, { LABEL: "value" });
  });

  purposeClause = this.RULE("purposeClause", () => {
    this.CONSUME(kw("purpose"));
    this.CONSUME(T.Identifier, { LABEL: "name" });
  });

  riskClause = this.RULE("riskClause", () => {
    this.CONSUME(kw("risk"));
    this.CONSUME(T.Identifier, { LABEL: "level" });
  });

  priorityClause = this.RULE("priorityClause", () => {
    this.CONSUME(kw("priority"));
    this.OPTION(() => this.CONSUME(T.Minus, { LABEL: "minus" }));
    this.CONSUME(T.IntegerLit, { LABEL: "value" });
  });

  onClause = this.RULE("onClause", () => {
    this.CONSUME(kw("on"));
    this.SUBRULE(this.qualifiedName, { LABEL: "event" });
    this.OPTION(() => {
      this.CONSUME(kw("after"));
      this.CONSUME(T.DurationLit, { LABEL: "timer" });
      this.MANY(() => {
        this.CONSUME(T.Comma);
        this.CONSUME2(T.DurationLit, { LABEL: "timer" });
      });
    });
  });

  whenClause = this.RULE("whenClause", () => {
    this.CONSUME(kw("when"));
    this.SUBRULE(this.expression, { LABEL: "expr" });
  });

  doClause = this.RULE("doClause", () => {
    this.CONSUME(kw("do"));
    this.CONSUME(T.Identifier, { LABEL: "action" });
    this.CONSUME(T.LParen);
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => this.SUBRULE(this.namedArg, { LABEL: "arg" }),
    });
    this.CONSUME(T.RParen);
  });

  namedArg = this.RULE("namedArg", () => {
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression, { LABEL: "value" });
  });

  capClause = this.RULE("capClause", () => {
    this.CONSUME(kw("cap"));
    this.CONSUME(T.IntegerLit, { LABEL: "count" });
    this.CONSUME(kw("per"));
    this.CONSUME(T.DurationLit, { LABEL: "window" });
  });

  quietClause = this.RULE("quietClause", () => {
    this.CONSUME(kw("quiet"));
    this.CONSUME(T.TimeOfDay, { LABEL: "from" });
    this.CONSUME(T.DotDot);
    this.CONSUME2(T.TimeOfDay, { LABEL: "to" });
  });

  holdoutClause = this.RULE("holdoutClause", () => {
    this.CONSUME(kw("holdout"));
    this.CONSUME(T.PercentLit, { LABEL: "percent" });
    this.OPTION(() => {
      this.CONSUME(kw("salt"));
      this.CONSUME(T.StringLit, { LABEL: "salt" });
    });
  });

  reviewClause = this.RULE("reviewClause", () => {
    this.CONSUME(kw("review"));
    this.CONSUME(T.Identifier, { LABEL: "mode" });
  });

  reasonClause = this.RULE("reasonClause", () => {
    this.CONSUME(kw("reason"));
    this.CONSUME(T.StringLit, { LABEL: "value" });
  });

  // --- test and property blocks (docs/testing.md) -------------------------------------------
  // A statement is a word and its arguments on the same line; `assume`/`expect` in a property
  // take an expression instead. Statement words are not keywords, so `now`, `event` and the
  // rest stay usable as names in expressions.

  testDecl = this.RULE("testDecl", () => {
    this.CONSUME(kw("test"));
    this.CONSUME(T.StringLit, { LABEL: "name" });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.testStatement, { LABEL: "statement" }));
    this.CONSUME(T.RBrace);
  });

  propertyDecl = this.RULE("propertyDecl", () => {
    this.CONSUME(kw("property"));
    this.CONSUME(T.StringLit, { LABEL: "name" });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.propertyStatement, { LABEL: "statement" }));
    this.CONSUME(T.RBrace);
  });

  testStatement = this.RULE("testStatement", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.onClause, { LABEL: "on" }) },
      { ALT: () => this.SUBRULE(this.wordStatement, { LABEL: "words" }) },
    ]);
  });

  propertyStatement = this.RULE("propertyStatement", () => {
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        {
          GATE: () => this.LA(1).tokenType === T.Identifier && EXPRESSION_STATEMENTS.has(this.LA(1).image),
          ALT: () => this.SUBRULE(this.exprStatement, { LABEL: "expr" }),
        },
        { ALT: () => this.SUBRULE(this.onClause, { LABEL: "on" }) },
        { ALT: () => this.SUBRULE(this.wordStatement, { LABEL: "words" }) },
      ],
    });
  });

  exprStatement = this.RULE("exprStatement", () => {
    this.CONSUME(T.Identifier, { LABEL: "head" });
    this.SUBRULE(this.expression, { LABEL: "expr" });
  });

  // Arguments continue while they start on the line where the previous one ended.
  wordStatement = this.RULE("wordStatement", () => {
    const head = this.CONSUME(T.Identifier, { LABEL: "head" });
    let line = head.endLine ?? head.startLine;
    this.MANY({
      GATE: () => this.LA(1).startLine === line,
      DEF: () => {
        const item = this.SUBRULE(this.testItem, { LABEL: "item" });
        if (!this.RECORDING_PHASE) line = item.location?.endLine ?? line;
      },
    });
  });

  testItem = this.RULE("testItem", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.testWord, { LABEL: "word" }) },
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.IntegerLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.DecimalLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.DateTimeLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.DateLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.DurationLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.PercentLit, { LABEL: "other" }) },
      { ALT: () => this.CONSUME(T.TimeOfDay, { LABEL: "other" }) },
      {
        ALT: () => {
          this.CONSUME(T.Minus, { LABEL: "minus" });
          this.OR2([
            { ALT: () => this.CONSUME2(T.IntegerLit, { LABEL: "literal" }) },
            { ALT: () => this.CONSUME2(T.DecimalLit, { LABEL: "literal" }) },
          ]);
        },
      },
      { ALT: () => this.SUBRULE(this.testRecord, { LABEL: "record" }) },
      { ALT: () => this.SUBRULE(this.testList, { LABEL: "list" }) },
      { ALT: () => this.SUBRULE(this.testArgs, { LABEL: "args" }) },
    ]);
  });

  testWord = this.RULE("testWord", () => {
    this.CONSUME(T.Name, { LABEL: "part" });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Name, { LABEL: "part" });
    });
  });

  testRecord = this.RULE("testRecord", () => {
    this.CONSUME(T.LBrace);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.testField, { LABEL: "field" }) });
    this.CONSUME(T.RBrace);
  });

  testList = this.RULE("testList", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.testItem, { LABEL: "item" }) });
    this.CONSUME(T.RBracket);
  });

  testArgs = this.RULE("testArgs", () => {
    this.CONSUME(T.LParen);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.testField, { LABEL: "field" }) });
    this.CONSUME(T.RParen);
  });

  testField = this.RULE("testField", () => {
    this.CONSUME(T.Name, { LABEL: "name" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.testItem, { LABEL: "value" });
  });

  qualifiedName = this.RULE("qualifiedName", () => {
    this.CONSUME(T.Identifier, { LABEL: "part" });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME(T.Name, { LABEL: "part" });
    });
  });

  // Expressions, loosest first: or, and, not, comparison / in / is set, + -, * /, unary -.
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.orExpr);
  });

  orExpr = this.RULE("orExpr", () => {
    this.SUBRULE(this.andExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.CONSUME(kw("or"));
      this.SUBRULE2(this.andExpr, { LABEL: "operand" });
    });
  });

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr, { LABEL: "operand" });
    this.MANY(() => {
      this.CONSUME(kw("and"));
      this.SUBRULE2(this.notExpr, { LABEL: "operand" });
    });
  });

  notExpr = this.RULE("notExpr", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(kw("not"), { LABEL: "not" });
          this.SUBRULE(this.notExpr, { LABEL: "operand" });
        },
      },
      { ALT: () => this.SUBRULE(this.comparison, { LABEL: "comparison" }) },
    ]);
  });

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.additive, { LABEL: "left" });
    this.OPTION(() => {
      this.OR([
        {
          ALT: () => {
            this.OR2([
              { ALT: () => this.CONSUME(T.EqEq, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.NotEq, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.LtEq, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.GtEq, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.Lt, { LABEL: "op" }) },
              { ALT: () => this.CONSUME(T.Gt, { LABEL: "op" }) },
            ]);
            this.SUBRULE2(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(kw("in"), { LABEL: "in" });
            this.SUBRULE3(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(kw("not"), { LABEL: "notIn" });
            this.CONSUME2(kw("in"), { LABEL: "in" });
            this.SUBRULE4(this.additive, { LABEL: "right" });
          },
        },
        {
          ALT: () => {
            this.CONSUME(kw("is"), { LABEL: "is" });
            this.OPTION2(() => this.CONSUME2(kw("not"), { LABEL: "isNot" }));
            this.CONSUME(kw("set"), { LABEL: "set" });
          },
        },
      ]);
    });
  });

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative, { LABEL: "operand" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Plus, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(T.Minus, { LABEL: "op" }) },
      ]);
      this.SUBRULE2(this.multiplicative, { LABEL: "operand" });
    });
  });

  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary, { LABEL: "operand" });
    this.MANY(() => {
      this.OR([
        { ALT: () => this.CONSUME(T.Star, { LABEL: "op" }) },
        { ALT: () => this.CONSUME(T.Slash, { LABEL: "op" }) },
      ]);
      this.SUBRULE2(this.unary, { LABEL: "operand" });
    });
  });

  unary = this.RULE("unary", () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Minus, { LABEL: "minus" });
          this.SUBRULE(this.unary, { LABEL: "operand" });
        },
      },
      { ALT: () => this.SUBRULE(this.primary, { LABEL: "primary" }) },
    ]);
  });

  primary = this.RULE("primary", () => {
    this.OR([
      { ALT: () => this.CONSUME(kw("true"), { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(kw("false"), { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.IntegerLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.DecimalLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.StringLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.DateTimeLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.DateLit, { LABEL: "literal" }) },
      { ALT: () => this.CONSUME(T.DurationLit, { LABEL: "literal" }) },
      { ALT: () => this.SUBRULE(this.listLiteral, { LABEL: "list" }) },
      { ALT: () => this.SUBRULE(this.parenExpr, { LABEL: "paren" }) },
      {
        GATE: () => this.LA(2).tokenType === T.Identifier,
        ALT: () => this.SUBRULE(this.quantifier, { LABEL: "quantifier" }),
      },
      { ALT: () => this.SUBRULE(this.callOrPath, { LABEL: "ref" }) },
    ]);
  });

  listLiteral = this.RULE("listLiteral", () => {
    this.CONSUME(T.LBracket);
    this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: "item" }) });
    this.CONSUME(T.RBracket);
  });

  parenExpr = this.RULE("parenExpr", () => {
    this.CONSUME(T.LParen);
    this.SUBRULE(this.expression, { LABEL: "inner" });
    this.CONSUME(T.RParen);
  });

  quantifier = this.RULE("quantifier", () => {
    this.OR([
      { ALT: () => this.CONSUME(kw("any"), { LABEL: "q" }) },
      { ALT: () => this.CONSUME(kw("all"), { LABEL: "q" }) },
      { ALT: () => this.CONSUME(kw("count"), { LABEL: "q" }) },
    ]);
    this.CONSUME(T.Identifier, { LABEL: "variable" });
    this.CONSUME(kw("in"));
    this.SUBRULE(this.additive, { LABEL: "list" });
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression, { LABEL: "body" });
  });

  // `name`, `a.b.c`, `f(args)`; `count(list)` is the one keyword that is also a function.
  callOrPath = this.RULE("callOrPath", () => {
    this.OR([
      { ALT: () => this.CONSUME(T.Identifier, { LABEL: "head" }) },
      { ALT: () => this.CONSUME(kw("count"), { LABEL: "head" }) },
    ]);
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(T.LParen, { LABEL: "call" });
          this.MANY_SEP({ SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, { LABEL: "arg" }) });
          this.CONSUME(T.RParen);
        },
      },
      {
        ALT: () => {
          this.MANY(() => {
            this.CONSUME(T.Dot);
            this.CONSUME(T.Name, { LABEL: "member" });
          });
        },
      },
    ]);
  });
}

/** One shared instance: chevrotain parsers are reusable via `input =`. */
export const parser = new JourneyParser();

export type StartRule = "file" | "expression";

export interface ParseCstResult {
  readonly cst: CstNode;
  readonly errors: IRecognitionException[];
}

export function parseTokens(tokens: IToken[], rule: StartRule = "file"): ParseCstResult {
  parser.input = tokens;
  const cst = rule === "file" ? parser.file() : parser.expression();
  return { cst, errors: [...parser.errors] };
}
