using Moat.Hosting;
using Moat.Keys;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Keys);

var app = builder.Build();
app.MapMoatDefaults();
app.MapGrpcService<KeyVaultApi>();
app.MapGrpcService<KeyServiceApi>();
return await app.RunMoatAsync();
