// The journey-language parser: a chevrotain CstParser with error recovery, so one file yields
// every syntax error. Lowering to the typed AST lives in compiler/syntax/lower/. The CST's types
// are generated from this file (grammar/cst.generated.ts, `npm run gen:cst`): after renaming a
// label or a rule, regenerate them and lowering's type errors show every place to update.
import { createTokenInstance, CstParser, EOF, type CstNode, type IRecognitionException, type IToken } from "chevrotain";
import type { ExpressionCstNode, FileCstNode } from "./cst.generated.ts";
import * as T from "./tokens.ts";

const K = T.Kw as Record<string, (typeof T.Kw)[string]> & {};
const kw = (w: string) => K[w]!;

/** Property statements that take an expression rather than arguments. */
export const EXPRESSION_STATEMENTS: ReadonlySet<string> = new Set(["assume", "expect"]);

/**
 * Deepest nesting the parser accepts. A level is anything that makes the parser recurse: `(…)`,
 * `[…]`, a call's arguments, a quantifier, the operand of `not` or of a unary `-`, and in test
 * blocks a record, list or argument list. Deeper input stops the parse with `NestingTooDeep`
 * (one `syntax/too-deep` diagnostic) instead of exhausting the stack, in the parser and in
 * every recursive stage after it.
 */
export const MAX_NESTING = 128;

/** Error recoveries inside one repetition that may nest (see `boundRepetitionRecovery`). */
const MAX_REPETITION_RECOVERIES = 100;

/**
 * Input with a syntax error and nesting deeper than this is reported as one `syntax/too-complex`
 * instead of going through chevrotain's error recovery, which walks the grammar once per open
 * rule and exhausted the stack from about 76 levels in a fresh process (less under other stack
 * budgets): well below that, and far above what people write.
 */
export const MAX_RECOVERABLE_NESTING = 32;

/** Thrown (and caught by `parseTokens`) when input nests deeper than `MAX_NESTING`. */
export class NestingTooDeep extends Error {
  /** The token that opens the level too many: `(`, `[`, `{`, `not`, `-` or the quantifier. */
  readonly token: IToken;

  constructor(token: IToken) {
    super(`nested more than ${MAX_NESTING} levels deep`);
    this.name = "NestingTooDeep";
    this.token = token;
  }
}

// Allocation matters here: every expression passes through about ten rules. So the option
// objects (`{ LABEL }`), the alternatives of each OR and the bodies of MANY are created once,
// not on every rule invocation (chevrotain's own performance advice), and CST nodes get plain
// objects for children (see `cstInvocationStateUpdate` below).
const KW_JOURNEY = kw("journey");
const KW_CONDITION = kw("condition");
const KW_OR = kw("or");
const KW_AND = kw("and");
const KW_NOT = kw("not");
const KW_IN = kw("in");
const KW_IS = kw("is");
const KW_SET = kw("set");
const KW_AFTER = kw("after");
const KW_SALT = kw("salt");
const KW_PER = kw("per");
const KW_COUNT = kw("count");
const KW_WITHIN = kw("within");
const KW_MIN = kw("min");

const label = (LABEL: string) => ({ LABEL }) as const;
const L_NAME = label("name");
const L_BODY = label("body");
const L_VALUE = label("value");
const L_LEVEL = label("level");
const L_MINUS = label("minus");
const L_EVENT = label("event");
const L_TIMER = label("timer");
const L_EXPR = label("expr");
const L_ACTION = label("action");
const L_ARG = label("arg");
const L_COUNT = label("count");
const L_WINDOW = label("window");
const L_FROM = label("from");
const L_TO = label("to");
const L_PERCENT = label("percent");
const L_SALT = label("salt");
const L_TYPE = label("type");
const L_CONDITION = label("condition");
const L_METRIC = label("metric");
const L_MODE = label("mode");
const L_STATEMENT = label("statement");
const L_ON = label("on");
const L_WORDS = label("words");
const L_HEAD = label("head");
const L_ITEM = label("item");
const L_WORD = label("word");
const L_LITERAL = label("literal");
const L_OTHER = label("other");
const L_RECORD = label("record");
const L_LIST = label("list");
const L_ARGS = label("args");
const L_PART = label("part");
const L_FIELD = label("field");
const L_OPERAND = label("operand");
const L_NOT = label("not");
const L_COMPARISON = label("comparison");
const L_LEFT = label("left");
const L_OP = label("op");
const L_RIGHT = label("right");
const L_IN = label("in");
const L_NOT_IN = label("notIn");
const L_IS = label("is");
const L_IS_NOT = label("isNot");
const L_SET = label("set");
const L_PRIMARY = label("primary");
const L_PAREN = label("paren");
const L_QUANTIFIER = label("quantifier");
const L_REF = label("ref");
const L_INNER = label("inner");
const L_Q = label("q");
const L_VARIABLE = label("variable");
const L_CALL = label("call");
const L_MEMBER = label("member");

/**
 * The children of a CST node. Chevrotain makes them `Object.create(null)`, a dictionary-mode
 * object, which is large and slow to fill; an instance of this class is an ordinary object
 * (hidden classes, in-object slots) that still has no inherited properties to collide with a
 * label, because its prototype has a null prototype.
 */
const CstChildren = function CstChildren() {} as unknown as new () => Record<string, (CstNode | IToken)[]>;
CstChildren.prototype = Object.create(null) as object;

class JourneyParser extends CstParser {
  /** Levels of nesting open at the current position (see MAX_NESTING). */
  nestingDepth = 0;

  /** In-repetition recoveries open at the current position (see MAX_REPETITION_RECOVERIES). */
  recoveryDepth = 0;

  /** The opening token of the deepest nesting level reached in this parse, and its depth. */
  deepest: { token: IToken | undefined; depth: number } = { token: undefined, depth: 0 };

  constructor() {
    super(T.allTokens, { recoveryEnabled: true, maxLookahead: 3, nodeLocationTracking: "full" });
    this.boundRepetitionRecovery();
    this.performSelfAnalysis();
  }

  /**
   * Chevrotain recovers from an error inside a repetition (`MANY`, `MANY_SEP`) by calling the
   * repetition again from inside the recovery, so every further error in the same repetition
   * nests deeper: a test block with thousands of broken statements exhausted the stack. Past
   * MAX_REPETITION_RECOVERIES nested recoveries the repetition just ends, and the rule-level
   * re-sync (a loop) takes over: every error up to there is reported, the rest of the block
   * is skipped. Chevrotain installs its recovery as an instance property when recovery is
   * enabled (Recoverable.initRecoverable), so it is wrapped here (version pinned).
   */
  private boundRepetitionRecovery(): void {
    const self = this as unknown as { attemptInRepetitionRecovery: (...args: unknown[]) => void };
    const recover = self.attemptInRepetitionRecovery;
    self.attemptInRepetitionRecovery = (...args: unknown[]) => {
      if (this.recoveryDepth >= MAX_REPETITION_RECOVERIES) return;
      this.recoveryDepth++;
      try {
        recover.apply(this, args);
      } finally {
        this.recoveryDepth--;
      }
    };
  }

  /**
   * Runs `body` one nesting level deeper; `opener` (the token just consumed, by default) is where
   * a too-deep input is reported. Recognition errors unwind through the `finally`, so the count
   * stays right under error recovery.
   */
  private nested(body: () => unknown, opener?: IToken): void {
    if (this.RECORDING_PHASE) {
      body();
      return;
    }
    if (this.nestingDepth >= MAX_NESTING) throw new NestingTooDeep(opener ?? this.LA(0));
    this.nestingDepth++;
    if (this.nestingDepth > this.deepest.depth) this.deepest = { token: opener ?? this.LA(0), depth: this.nestingDepth };
    try {
      body();
    } finally {
      this.nestingDepth--;
    }
  }

  /**
   * Overrides chevrotain's CST node creation (TreeBuilder.cstInvocationStateUpdate) only to
   * allocate the children as a `CstChildren`; the node is otherwise the same. This relies on
   * chevrotain internals (`setInitialNodeLocation`, `CST_STACK`), which is why its version is
   * pinned; parsing and lowering took about twice as long with dictionary-mode children.
   */
  cstInvocationStateUpdate(fullRuleName: string): void {
    const self = this as unknown as { setInitialNodeLocation(n: CstNode): void; CST_STACK: CstNode[] };
    const cstNode = { name: fullRuleName, children: new CstChildren() } as CstNode;
    self.setInitialNodeLocation(cstNode);
    self.CST_STACK.push(cstNode);
  }

  private readonly fileAlts = [
    { ALT: () => this.SUBRULE(this.journeyDecl) },
    { ALT: () => this.SUBRULE(this.conditionDecl) },
    { ALT: () => this.SUBRULE(this.testDecl) },
    { ALT: () => this.SUBRULE(this.propertyDecl) },
  ];
  private readonly fileItem = () => {
    this.OR(this.fileAlts);
  };

  file = this.RULE("file", () => {
    this.MANY(this.fileItem);
  });

  private readonly journeyClause = () => this.SUBRULE(this.clause);

  journeyDecl = this.RULE("journeyDecl", () => {
    this.CONSUME(KW_JOURNEY);
    this.CONSUME(T.Identifier, L_NAME);
    this.CONSUME(T.LBrace);
    this.MANY(this.journeyClause);
    this.CONSUME(T.RBrace);
  });

  conditionDecl = this.RULE("conditionDecl", () => {
    this.CONSUME(KW_CONDITION);
    this.CONSUME(T.Identifier, L_NAME);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression, L_BODY);
  });

  private readonly clauseAlts = [
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
    { ALT: () => this.SUBRULE(this.goalClause) },
    { ALT: () => this.SUBRULE(this.stopLossClause) },
    { ALT: () => this.SUBRULE(this.reviewClause) },
    { ALT: () => this.SUBRULE(this.reasonClause) },
  ];

  clause = this.RULE("clause", () => {
    this.OR(this.clauseAlts);
  });

  titleClause = this.RULE("titleClause", () => {
    this.CONSUME(kw("title"));
    this.CONSUME(T.StringLit, L_VALUE);
  });

  purposeClause = this.RULE("purposeClause", () => {
    this.CONSUME(kw("purpose"));
    this.CONSUME(T.Identifier, L_NAME);
  });

  riskClause = this.RULE("riskClause", () => {
    this.CONSUME(kw("risk"));
    this.CONSUME(T.Identifier, L_LEVEL);
  });

  private readonly priorityMinus = () => this.CONSUME(T.Minus, L_MINUS);

  priorityClause = this.RULE("priorityClause", () => {
    this.CONSUME(kw("priority"));
    this.OPTION(this.priorityMinus);
    this.CONSUME(T.IntegerLit, L_VALUE);
  });

  private readonly onTimerMore = () => {
    this.CONSUME(T.Comma);
    this.CONSUME2(T.DurationLit, L_TIMER);
  };
  private readonly onTimers = () => {
    this.CONSUME(KW_AFTER);
    this.CONSUME(T.DurationLit, L_TIMER);
    this.MANY(this.onTimerMore);
  };

  onClause = this.RULE("onClause", () => {
    this.CONSUME(kw("on"));
    this.SUBRULE(this.qualifiedName, L_EVENT);
    this.OPTION(this.onTimers);
  });

  whenClause = this.RULE("whenClause", () => {
    this.CONSUME(kw("when"));
    this.SUBRULE(this.expression, L_EXPR);
  });

  private readonly doArgs = {
    SEP: T.Comma,
    DEF: () => this.SUBRULE(this.namedArg, L_ARG),
  };

  doClause = this.RULE("doClause", () => {
    this.CONSUME(kw("do"));
    this.CONSUME(T.Identifier, L_ACTION);
    this.CONSUME(T.LParen);
    this.MANY_SEP(this.doArgs);
    this.CONSUME(T.RParen);
  });

  namedArg = this.RULE("namedArg", () => {
    this.CONSUME(T.Name, L_NAME);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression, L_VALUE);
  });

  capClause = this.RULE("capClause", () => {
    this.CONSUME(kw("cap"));
    this.CONSUME(T.IntegerLit, L_COUNT);
    this.CONSUME(KW_PER);
    this.CONSUME(T.DurationLit, L_WINDOW);
  });

  quietClause = this.RULE("quietClause", () => {
    this.CONSUME(kw("quiet"));
    this.CONSUME(T.TimeOfDay, L_FROM);
    this.CONSUME(T.DotDot);
    this.CONSUME2(T.TimeOfDay, L_TO);
  });

  private readonly holdoutSalt = () => {
    this.CONSUME(KW_SALT);
    this.CONSUME(T.StringLit, L_SALT);
  };

  holdoutClause = this.RULE("holdoutClause", () => {
    this.CONSUME(kw("holdout"));
    this.CONSUME(T.PercentLit, L_PERCENT);
    this.OPTION(this.holdoutSalt);
  });

  // `goal renewal within 30d`: the outcome type the journey is judged on, and the window after it acts.
  goalClause = this.RULE("goalClause", () => {
    this.CONSUME(kw("goal"));
    this.CONSUME(T.Identifier, L_TYPE);
    this.CONSUME(KW_WITHIN);
    this.CONSUME(T.DurationLit, L_WINDOW);
  });

  private readonly stopLossMore = () => {
    this.CONSUME(KW_OR);
    this.SUBRULE2(this.stopLossCondition, L_CONDITION);
  };
  private readonly stopLossMin = () => {
    this.CONSUME(KW_MIN);
    this.CONSUME(T.IntegerLit, L_COUNT);
  };

  // `stop_loss complaint_rate > 0.5% or complaint_uplift > 1% min 200`: when the service stops the journey.
  stopLossClause = this.RULE("stopLossClause", () => {
    this.CONSUME(kw("stop_loss"));
    this.SUBRULE(this.stopLossCondition, L_CONDITION);
    this.MANY(this.stopLossMore);
    this.OPTION(this.stopLossMin);
  });

  stopLossCondition = this.RULE("stopLossCondition", () => {
    this.CONSUME(T.Identifier, L_METRIC);
    this.CONSUME(T.Gt);
    this.CONSUME(T.PercentLit, L_PERCENT);
  });

  reviewClause = this.RULE("reviewClause", () => {
    this.CONSUME(kw("review"));
    this.CONSUME(T.Identifier, L_MODE);
  });

  reasonClause = this.RULE("reasonClause", () => {
    this.CONSUME(kw("reason"));
    this.CONSUME(T.StringLit, L_VALUE);
  });

  // --- test and property blocks (docs/testing.md) -------------------------------------------
  // A statement is a word and its arguments on the same line; `assume`/`expect` in a property
  // take an expression instead. Statement words are not keywords, so `now`, `event` and the
  // rest stay usable as names in expressions.

  private readonly testStatements = () => this.SUBRULE(this.testStatement, L_STATEMENT);

  testDecl = this.RULE("testDecl", () => {
    this.CONSUME(kw("test"));
    this.CONSUME(T.StringLit, L_NAME);
    this.CONSUME(T.LBrace);
    this.MANY(this.testStatements);
    this.CONSUME(T.RBrace);
  });

  private readonly propertyStatements = () => this.SUBRULE(this.propertyStatement, L_STATEMENT);

  propertyDecl = this.RULE("propertyDecl", () => {
    this.CONSUME(kw("property"));
    this.CONSUME(T.StringLit, L_NAME);
    this.CONSUME(T.LBrace);
    this.MANY(this.propertyStatements);
    this.CONSUME(T.RBrace);
  });

  private readonly testStatementAlts = [{ ALT: () => this.SUBRULE(this.onClause, L_ON) }, { ALT: () => this.SUBRULE(this.wordStatement, L_WORDS) }];

  testStatement = this.RULE("testStatement", () => {
    this.OR(this.testStatementAlts);
  });

  private readonly propertyStatementAlts = {
    IGNORE_AMBIGUITIES: true,
    DEF: [
      {
        GATE: () => this.LA(1).tokenType === T.Identifier && EXPRESSION_STATEMENTS.has(this.LA(1).image),
        ALT: () => this.SUBRULE(this.exprStatement, L_EXPR),
      },
      { ALT: () => this.SUBRULE(this.onClause, L_ON) },
      { ALT: () => this.SUBRULE(this.wordStatement, L_WORDS) },
    ],
  };

  propertyStatement = this.RULE("propertyStatement", () => {
    this.OR(this.propertyStatementAlts);
  });

  exprStatement = this.RULE("exprStatement", () => {
    this.CONSUME(T.Identifier, L_HEAD);
    this.SUBRULE(this.expression, L_EXPR);
  });

  // Arguments continue while they start on the line where the previous one ended. (The GATE
  // reads this invocation's `line`, so these options are made per invocation.)
  wordStatement = this.RULE("wordStatement", () => {
    const head = this.CONSUME(T.Identifier, L_HEAD);
    let line = head.endLine ?? head.startLine;
    this.MANY({
      GATE: () => this.LA(1).startLine === line,
      DEF: () => {
        const item = this.SUBRULE(this.testItem, L_ITEM);
        if (!this.RECORDING_PHASE) line = item.location?.endLine ?? line;
      },
    });
  });

  private readonly negativeNumberAlts = [{ ALT: () => this.CONSUME2(T.IntegerLit, L_LITERAL) }, { ALT: () => this.CONSUME2(T.DecimalLit, L_LITERAL) }];
  private readonly testItemAlts = [
    { ALT: () => this.SUBRULE(this.testWord, L_WORD) },
    { ALT: () => this.CONSUME(T.StringLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.IntegerLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.DecimalLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.DateTimeLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.DateLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.DurationLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.PercentLit, L_OTHER) },
    { ALT: () => this.CONSUME(T.TimeOfDay, L_OTHER) },
    {
      ALT: () => {
        this.CONSUME(T.Minus, L_MINUS);
        this.OR2(this.negativeNumberAlts);
      },
    },
    { ALT: () => this.SUBRULE(this.testRecord, L_RECORD) },
    { ALT: () => this.SUBRULE(this.testList, L_LIST) },
    { ALT: () => this.SUBRULE(this.testArgs, L_ARGS) },
  ];

  testItem = this.RULE("testItem", () => {
    this.OR(this.testItemAlts);
  });

  private readonly testWordMore = () => {
    this.CONSUME(T.Dot);
    this.CONSUME2(T.Name, L_PART);
  };

  testWord = this.RULE("testWord", () => {
    this.CONSUME(T.Name, L_PART);
    this.MANY(this.testWordMore);
  });

  private readonly testFields = { SEP: T.Comma, DEF: () => this.SUBRULE(this.testField, L_FIELD) };
  private readonly testItems = { SEP: T.Comma, DEF: () => this.SUBRULE(this.testItem, L_ITEM) };
  private readonly testFieldsBody = () => this.MANY_SEP(this.testFields);
  private readonly testItemsBody = () => this.MANY_SEP(this.testItems);

  testRecord = this.RULE("testRecord", () => {
    this.CONSUME(T.LBrace);
    this.nested(this.testFieldsBody);
    this.CONSUME(T.RBrace);
  });

  testList = this.RULE("testList", () => {
    this.CONSUME(T.LBracket);
    this.nested(this.testItemsBody);
    this.CONSUME(T.RBracket);
  });

  testArgs = this.RULE("testArgs", () => {
    this.CONSUME(T.LParen);
    this.nested(this.testFieldsBody);
    this.CONSUME(T.RParen);
  });

  testField = this.RULE("testField", () => {
    this.CONSUME(T.Name, L_NAME);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.testItem, L_VALUE);
  });

  private readonly qualifiedMore = () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Name, L_PART);
  };

  qualifiedName = this.RULE("qualifiedName", () => {
    this.CONSUME(T.Identifier, L_PART);
    this.MANY(this.qualifiedMore);
  });

  // Expressions, loosest first: or, and, not, comparison / in / is set, + -, * /, unary -.
  expression = this.RULE("expression", () => {
    this.SUBRULE(this.orExpr);
  });

  private readonly orMore = () => {
    this.CONSUME(KW_OR);
    this.SUBRULE2(this.andExpr, L_OPERAND);
  };

  orExpr = this.RULE("orExpr", () => {
    this.SUBRULE(this.andExpr, L_OPERAND);
    this.MANY(this.orMore);
  });

  private readonly andMore = () => {
    this.CONSUME(KW_AND);
    this.SUBRULE2(this.notExpr, L_OPERAND);
  };

  andExpr = this.RULE("andExpr", () => {
    this.SUBRULE(this.notExpr, L_OPERAND);
    this.MANY(this.andMore);
  });

  private readonly notOperand = () => this.SUBRULE(this.notExpr, L_OPERAND);
  private readonly notAlts = [
    {
      ALT: () => {
        this.CONSUME(KW_NOT, L_NOT);
        this.nested(this.notOperand);
      },
    },
    { ALT: () => this.SUBRULE(this.comparison, L_COMPARISON) },
  ];

  notExpr = this.RULE("notExpr", () => {
    this.OR(this.notAlts);
  });

  private readonly comparisonOps = [
    { ALT: () => this.CONSUME(T.EqEq, L_OP) },
    { ALT: () => this.CONSUME(T.NotEq, L_OP) },
    { ALT: () => this.CONSUME(T.LtEq, L_OP) },
    { ALT: () => this.CONSUME(T.GtEq, L_OP) },
    { ALT: () => this.CONSUME(T.Lt, L_OP) },
    { ALT: () => this.CONSUME(T.Gt, L_OP) },
    // `=` is not an operator: it is read as `==` so that lowering reports one error with the fix
    // (instead of a non-bool `when` and an unexpected token after it).
    { ALT: () => this.CONSUME(T.Equals, L_OP) },
  ];
  private readonly isNot = () => this.CONSUME2(KW_NOT, L_IS_NOT);
  private readonly comparisonAlts = [
    {
      ALT: () => {
        this.OR2(this.comparisonOps);
        this.SUBRULE2(this.additive, L_RIGHT);
      },
    },
    {
      ALT: () => {
        this.CONSUME(KW_IN, L_IN);
        this.SUBRULE3(this.additive, L_RIGHT);
      },
    },
    {
      ALT: () => {
        this.CONSUME(KW_NOT, L_NOT_IN);
        this.CONSUME2(KW_IN, L_IN);
        this.SUBRULE4(this.additive, L_RIGHT);
      },
    },
    {
      ALT: () => {
        this.CONSUME(KW_IS, L_IS);
        this.OPTION2(this.isNot);
        this.CONSUME(KW_SET, L_SET);
      },
    },
  ];
  private readonly comparisonTail = () => {
    this.OR(this.comparisonAlts);
  };

  comparison = this.RULE("comparison", () => {
    this.SUBRULE(this.additive, L_LEFT);
    this.OPTION(this.comparisonTail);
  });

  private readonly additiveOps = [{ ALT: () => this.CONSUME(T.Plus, L_OP) }, { ALT: () => this.CONSUME(T.Minus, L_OP) }];
  private readonly additiveMore = () => {
    this.OR(this.additiveOps);
    this.SUBRULE2(this.multiplicative, L_OPERAND);
  };

  additive = this.RULE("additive", () => {
    this.SUBRULE(this.multiplicative, L_OPERAND);
    this.MANY(this.additiveMore);
  });

  private readonly multiplicativeOps = [{ ALT: () => this.CONSUME(T.Star, L_OP) }, { ALT: () => this.CONSUME(T.Slash, L_OP) }];
  private readonly multiplicativeMore = () => {
    this.OR(this.multiplicativeOps);
    this.SUBRULE2(this.unary, L_OPERAND);
  };

  multiplicative = this.RULE("multiplicative", () => {
    this.SUBRULE(this.unary, L_OPERAND);
    this.MANY(this.multiplicativeMore);
  });

  private readonly unaryOperand = () => this.SUBRULE(this.unary, L_OPERAND);
  private readonly unaryAlts = [
    {
      ALT: () => {
        this.CONSUME(T.Minus, L_MINUS);
        this.nested(this.unaryOperand);
      },
    },
    { ALT: () => this.SUBRULE(this.primary, L_PRIMARY) },
  ];

  unary = this.RULE("unary", () => {
    this.OR(this.unaryAlts);
  });

  // `count x in …` (a quantifier) and `count(…)` (a call) both start with `count`, so a GATE
  // tells them apart. It sits in an OR of its own: chevrotain evaluates an OR with a GATE by
  // trying its alternatives one by one, and an OR without one by a table lookup — this one
  // runs for every operand. (Inline alternatives add no CST node: the CST is the same.)
  private readonly namedAlts = [
    {
      GATE: () => this.LA(2).tokenType === T.Identifier,
      ALT: () => this.SUBRULE(this.quantifier, L_QUANTIFIER),
    },
    { ALT: () => this.SUBRULE(this.callOrPath, L_REF) },
  ];
  private readonly primaryAlts = [
    { ALT: () => this.CONSUME(kw("true"), L_LITERAL) },
    { ALT: () => this.CONSUME(kw("false"), L_LITERAL) },
    { ALT: () => this.CONSUME(T.IntegerLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.DecimalLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.StringLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.DateTimeLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.DateLit, L_LITERAL) },
    { ALT: () => this.CONSUME(T.DurationLit, L_LITERAL) },
    { ALT: () => this.SUBRULE(this.listLiteral, L_LIST) },
    { ALT: () => this.SUBRULE(this.parenExpr, L_PAREN) },
    { ALT: () => this.OR2(this.namedAlts) },
  ];

  primary = this.RULE("primary", () => {
    this.OR(this.primaryAlts);
  });

  private readonly listItems = { SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, L_ITEM) };
  private readonly listBody = () => this.MANY_SEP(this.listItems);

  listLiteral = this.RULE("listLiteral", () => {
    this.CONSUME(T.LBracket);
    this.nested(this.listBody);
    this.CONSUME(T.RBracket);
  });

  private readonly parenInner = () => this.SUBRULE(this.expression, L_INNER);

  parenExpr = this.RULE("parenExpr", () => {
    this.CONSUME(T.LParen);
    this.nested(this.parenInner);
    this.CONSUME(T.RParen);
  });

  private readonly quantifierAlts = [
    { ALT: () => this.CONSUME(kw("any"), L_Q) },
    { ALT: () => this.CONSUME(kw("all"), L_Q) },
    { ALT: () => this.CONSUME(KW_COUNT, L_Q) },
  ];

  private readonly quantifierRest = () => {
    this.CONSUME(T.Identifier, L_VARIABLE);
    this.CONSUME(KW_IN);
    this.SUBRULE(this.additive, L_LIST);
    this.CONSUME(T.Colon);
    this.SUBRULE(this.expression, L_BODY);
  };

  quantifier = this.RULE("quantifier", () => {
    const q = this.OR(this.quantifierAlts) as IToken;
    this.nested(this.quantifierRest, q);
  });

  private readonly calleeAlts = [{ ALT: () => this.CONSUME(T.Identifier, L_HEAD) }, { ALT: () => this.CONSUME(KW_COUNT, L_HEAD) }];
  private readonly callArgs = { SEP: T.Comma, DEF: () => this.SUBRULE(this.expression, L_ARG) };
  private readonly callBody = () => this.MANY_SEP(this.callArgs);
  private readonly memberMore = () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Name, L_MEMBER);
  };
  private readonly refAlts = [
    {
      ALT: () => {
        this.CONSUME(T.LParen, L_CALL);
        this.nested(this.callBody);
        this.CONSUME(T.RParen);
      },
    },
    {
      ALT: () => {
        this.MANY(this.memberMore);
      },
    },
  ];

  // `name`, `a.b.c`, `f(args)`; `count(list)` is the one keyword that is also a function.
  callOrPath = this.RULE("callOrPath", () => {
    this.OR(this.calleeAlts);
    this.OR2(this.refAlts);
  });
}

/** One shared instance, process-wide by chevrotain's design (building a parser runs its grammar analysis); safe because parseTokens is synchronous, not reentrant, and resets input and the depth counters on every call. */
export const parser = new JourneyParser();

/** The CST each start rule yields, as grammar/cst.generated.ts describes it. */
export interface StartRuleCst {
  readonly file: FileCstNode;
  readonly expression: ExpressionCstNode;
}

export type StartRule = keyof StartRuleCst;

export interface ParseCstResult<R extends StartRule = StartRule> {
  readonly cst: StartRuleCst[R];
  readonly errors: IRecognitionException[];
  /** Set when the input nests deeper than MAX_NESTING: the opening token of the level too many. The CST is then empty. */
  readonly tooDeep?: IToken;
  /**
   * Set when a syntax error inside deeply nested input was too complex for chevrotain's error
   * recovery (it walks the grammar once per open rule and can exhaust the stack well below
   * MAX_NESTING): the opening token of the deepest level, and that depth. The CST is then empty.
   */
  readonly unrecoverable?: { readonly token: IToken; readonly depth: number };
}

/** Parses tokens from `rule`. Never throws on any input. */
export function parseTokens<R extends StartRule = "file">(tokens: IToken[], rule: R = "file" as R): ParseCstResult<R> {
  parser.input = tokens;
  parser.nestingDepth = 0;
  parser.recoveryDepth = 0;
  parser.deepest = { token: undefined, depth: 0 };
  try {
    // The one place the untyped CST meets its generated types: the rule named `rule` built it.
    const cst = (rule === "file" ? parser.file() : parser.expression()) as StartRuleCst[R];
    // Whether recovery from an error this deep survives depends on stack frame sizes (JIT state,
    // thread): judge by depth instead, so the same input always gets the same answer.
    if (parser.errors.length > 0 && parser.deepest.depth > MAX_RECOVERABLE_NESTING && parser.deepest.token) {
      return {
        cst: { name: rule, children: new CstChildren() } as CstNode as StartRuleCst[R],
        errors: [],
        unrecoverable: { token: parser.deepest.token, depth: parser.deepest.depth },
      };
    }
    return { cst, errors: [...parser.errors] };
  } catch (e) {
    const empty = { name: rule, children: new CstChildren() } as CstNode as StartRuleCst[R];
    if (e instanceof NestingTooDeep) return { cst: empty, errors: [], tooDeep: e.token };
    // Chevrotain's recovery ran out of stack (or array length) on a deep error: report it, never throw.
    if (e instanceof RangeError)
      return {
        cst: empty,
        errors: [],
        unrecoverable: { token: parser.deepest.token ?? tokens[0] ?? createTokenInstance(EOF, "", 0, 0, 1, 1, 1, 1), depth: parser.deepest.depth },
      };
    throw e;
  } finally {
    parser.nestingDepth = 0;
    parser.recoveryDepth = 0;
  }
}
