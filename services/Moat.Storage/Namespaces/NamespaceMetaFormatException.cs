namespace Moat.Storage.Namespaces;

/// <summary>A meta object is not meta, has an unsupported format version, or does not parse.</summary>
public sealed class NamespaceMetaFormatException : Exception
{
    public NamespaceMetaFormatException()
        : this("Malformed namespace meta.")
    {
    }

    public NamespaceMetaFormatException(string message)
        : base(message)
    {
    }

    public NamespaceMetaFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
