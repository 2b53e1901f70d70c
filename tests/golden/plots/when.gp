# compsight when plot: draws when.png and when.svg in the current directory.
# Re-run from the plots directory:  gnuplot when.gp
# Data are aggregated by compsight; every text is a single-quoted literal.
reset
set encoding utf8
set terminal pngcairo size 1280,720 font ',14' noenhanced background '#ffffff'
set output 'when.png'
set linetype 1 lc rgb '#2b6cb0' lw 2 pt 7 ps 1.4
set linetype 2 lc rgb '#dd6b20' lw 2 pt 7 ps 1.4
set linetype 3 lc rgb '#2d3748' lw 2 pt 7 ps 1.4
set linetype 4 lc rgb '#c53030' lw 2 pt 7 ps 1.4
set linetype 5 lc rgb '#2f855a' lw 2 pt 7 ps 1.4
set linetype 6 lc rgb '#a0aec0' lw 2 pt 7 ps 1.4
set border 3 lc rgb '#2d3748'
set tics nomirror out
set grid ytics lc rgb '#e2e8f0' lw 1 dt 1
set key top left noenhanced opaque box lc rgb '#e2e8f0'
# days before the period end, bookings closed that day (in the unit of the y label)
$days << EOD
0 160
1 155
2 150
3 145
4 140
5 135
6 130
7 125
8 120
9 115
10 110
11 105
12 100
13 95
14 30
15 31
16 32
17 33
18 34
19 35
20 36
21 30
22 31
23 32
24 33
25 34
26 35
27 36
28 30
29 31
30 32
31 33
32 34
33 35
34 36
35 30
36 31
37 32
38 33
39 34
40 35
41 36
42 30
43 31
44 32
45 33
46 34
47 35
48 36
49 30
50 31
51 32
52 33
53 34
54 35
55 36
56 30
57 31
58 32
59 33
60 34
61 35
62 36
63 30
64 31
65 32
66 33
67 34
68 35
69 36
70 30
71 31
72 32
73 33
74 34
75 35
76 36
77 30
78 31
79 32
80 33
81 34
82 35
83 36
84 30
85 31
86 32
87 33
88 34
89 35
90 36
91 30
EOD
# week centre (days before the end), share of deals with a risky promise in %, 95% Wilson interval low, high, deals
$weeks << EOD
3 35 24.1678 47.6374 60
10 35 24.1678 47.6374 60
17 15 5.23687 36.0419 20
24 15 5.23687 36.0419 20
31 15 5.23687 36.0419 20
38 15 5.23687 36.0419 20
45 15 5.23687 36.0419 20
52 15 5.23687 36.0419 20
59 15 5.23687 36.0419 20
66 15 5.23687 36.0419 20
73 15 5.23687 36.0419 20
80 15 5.23687 36.0419 20
EOD
set title '38% of bookings closed in the last 14 days of the period (an even pace would give 15%)' font ',15' noenhanced
set xlabel 'days before the end of the plan period (0 = its last day)' noenhanced
set ylabel 'bookings closed that day (thousands)' noenhanced
set xrange [91.5:-0.5]
set yrange [0:200]
set xtics 0, 7 out nomirror
set style fill solid 0.85 noborder
set boxwidth 0.8
set object 1 rectangle from first 13.5, graph 0 to first -0.5, graph 1 behind fc rgb '#edf2f7' fs solid 1.0 noborder
set label 1 'last 14 days' at first 7, graph 0.97 center tc rgb '#4a5568' noenhanced
set y2label 'deals with a risky promise (per week, 95% interval)' noenhanced
set y2range [0:60]
set y2tics out nomirror
set format y2 '%.0f%%'
set ytics nomirror
set label 99 '323 deals, plan periods aligned on their last day. Not shown: 12 deals of annual plans closed more than 13 weeks before year end (8% of bookings).' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 5
set key at graph 0.01, graph 0.99 top left
plot $days using 1:2 with boxes lt 1 title 'bookings per day (left axis)', \
     $weeks using 1:2:3:4 axes x1y2 with yerrorbars lt 2 pt 7 ps 1.6 title 'share of deals with a risky promise, weekly (right axis)', \
     $weeks using 1:2 axes x1y2 with lines lt 2 lw 2 notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'when.svg'
replot
unset output
