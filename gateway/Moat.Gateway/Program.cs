using Moat.Gateway.Audit;
using Moat.Gateway.Forwarding;
using Moat.Gateway.Listeners;
using Moat.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddMoatDefaults(MoatServices.Gateway);
builder.AddCustomerListeners();
builder.AddPublicApiForwarding();
builder.AddGatewayAudit();

var app = builder.Build();
app.UsePublicApiForwarding();
app.MapMoatDefaults();
return await app.RunMoatAsync();
