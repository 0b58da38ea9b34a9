using Moat.Hosting;
using Moat.Keys;

var app = KeysApp.Build(args);
return await app.RunMoatAsync();
