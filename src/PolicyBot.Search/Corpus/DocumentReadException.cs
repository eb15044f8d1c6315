namespace PolicyBot.Search.Corpus;

/// <summary>A corpus file that cannot be read: the message says why, for the maintainer.</summary>
public sealed class DocumentReadException : Exception
{
    public DocumentReadException(string message, int? line = null)
        : base(message)
    {
        Line = line;
    }

    public DocumentReadException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DocumentReadException()
    {
    }

    public DocumentReadException(string message)
        : base(message)
    {
    }

    /// <summary>1-based line of the problem, when known.</summary>
    public int? Line { get; }
}
