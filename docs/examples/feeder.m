function mpc = feeder
%FEEDER  Two small islands for the market examples (docs/market.md).
%   Island A: buses 1-2-3, the branch 1-2 limited to 20 kW (5,000 Wh over 15 minutes).
%   Island B: buses 4-5, unlimited. The case's loads and generators are not part of the market.

%% MATPOWER Case Format : Version 2
mpc.version = '2';
mpc.baseMVA = 100;

%% bus data
%	bus_i	type	Pd	Qd	Gs	Bs	area	Vm	Va	baseKV	zone	Vmax	Vmin
mpc.bus = [
	1	3	0	0	0	0	1	1	0	0.4	1	1.1	0.9;
	2	1	0	0	0	0	1	1	0	0.4	1	1.1	0.9;
	3	1	0	0	0	0	1	1	0	0.4	1	1.1	0.9;
	4	2	0	0	0	0	1	1	0	0.4	1	1.1	0.9;
	5	1	0	0	0	0	1	1	0	0.4	1	1.1	0.9;
];

%% generator data
%	bus	Pg	Qg	Qmax	Qmin	Vg	mBase	status	Pmax	Pmin
mpc.gen = [
	1	0	0	1	-1	1	100	1	1	0;
	4	0	0	1	-1	1	100	1	1	0;
];

%% branch data
%	fbus	tbus	r	x	b	rateA	rateB	rateC	ratio	angle	status	angmin	angmax
mpc.branch = [
	1	2	0.01	0.05	0	0.02	0	0	0	0	1	-360	360;
	2	3	0.01	0.05	0	0	0	0	0	0	1	-360	360;
	4	5	0.01	0.05	0	0	0	0	0	0	1	-360	360;
];
