using Moat.Search.Text;

namespace Moat.Search;

/// <summary>One attribute of a segment: its column, and its filter and full-text indexes where it has them.</summary>
public sealed class SearchAttribute
{
    public SearchAttribute(AttributeColumn column, FilterIndex? filterIndex = null, TextIndex? textIndex = null)
    {
        ArgumentNullException.ThrowIfNull(column);
        Column = column;
        FilterIndex = filterIndex;
        TextIndex = textIndex;
    }

    public FieldType Type => Column.Type;

    public AttributeColumn Column { get; }

    /// <summary>Value → rows index; null when the attribute is not filterable (filters scan the column).</summary>
    public FilterIndex? FilterIndex { get; }

    /// <summary>Inverted index; null when the attribute is not full-text indexed.</summary>
    public TextIndex? TextIndex { get; }

    public TextFieldOptions? TextOptions => TextIndex?.Options;
}
