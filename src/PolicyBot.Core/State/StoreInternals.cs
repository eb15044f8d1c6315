using System.Runtime.CompilerServices;

// The PostgreSQL store shares the text and time helpers below; the store tests read them too.
[assembly: InternalsVisibleTo("PolicyBot.Postgres")]
[assembly: InternalsVisibleTo("PolicyBot.Store.Tests")]
