namespace Moat.Hosting.Tls;

/// <summary>A setting or file without which the service must not start. The message names it.</summary>
public sealed class MoatStartupException : Exception
{
    public MoatStartupException(string message)
        : base(message)
    {
    }

    public MoatStartupException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public MoatStartupException()
    {
    }
}
