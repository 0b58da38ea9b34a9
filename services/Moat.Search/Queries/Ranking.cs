namespace Moat.Search;

/// <summary>How rows are ordered.</summary>
public abstract record Ranking;

/// <summary>
/// Ascending distance to <paramref name="Vector"/> in a vector column (the column's metric). ANN
/// through the segments' indexes unless <paramref name="Exact"/>; segments without an index are
/// searched exactly either way.
/// </summary>
public sealed record VectorRanking(string Column, float[] Vector, bool Exact = false) : Ranking;

/// <summary>Descending BM25 score of an expression tree; rows scoring 0 are left out.</summary>
public sealed record TextRanking(TextRankExpr Expr) : Ranking;

/// <summary>By a scalar attribute ("id" = the document id); missing values last, ties by id ascending.</summary>
public sealed record OrderRanking(string Attribute, bool Descending = false) : Ranking;

/// <summary>A BM25 expression.</summary>
public abstract record TextRankExpr;

/// <summary>BM25 of one full-text attribute against a query string (tokenized with the attribute's analysis).</summary>
public sealed record Bm25Expr(string Attribute, string Query) : TextRankExpr;

/// <summary>Sum of the children's scores.</summary>
public sealed record SumExpr(IReadOnlyList<TextRankExpr> Terms) : TextRankExpr;

/// <summary>Maximum of the children's scores.</summary>
public sealed record MaxExpr(IReadOnlyList<TextRankExpr> Terms) : TextRankExpr;

/// <summary>Weight (&gt; 0) times the child's score.</summary>
public sealed record WeightedExpr(double Weight, TextRankExpr Term) : TextRankExpr;
