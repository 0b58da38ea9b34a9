using Moat.Hosting;
using Moat.Router;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Router);

var app = builder.Build();
app.MapMoatDefaults();
app.MapGrpcService<DirectoryApi>();
app.MapGrpcService<RegionApi>();
app.MapGrpcService<AccessApi>();
return await app.RunMoatAsync();
