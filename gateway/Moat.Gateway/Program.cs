using Moat.Gateway.Listeners;
using Moat.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Gateway);
builder.AddCustomerListeners();

var app = builder.Build();
app.MapMoatDefaults();
return await app.RunMoatAsync();
