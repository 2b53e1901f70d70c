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
# days before the period end, bookings closed that day, the same at an even pace (in the unit of the y label)
$days << EOD
0 160 32.6469
1 155 32.6469
2 150 32.6469
3 145 32.6469
4 140 32.6469
5 135 32.6469
6 130 32.6469
7 125 32.6469
8 120 32.6469
9 115 32.6469
10 110 32.6469
11 105 32.6469
12 100 32.6469
13 95 32.6469
14 30 32.6469
15 31 32.6469
16 32 32.6469
17 33 32.6469
18 34 32.6469
19 35 32.6469
20 36 32.6469
21 30 32.6469
22 31 32.6469
23 32 32.6469
24 33 32.6469
25 34 32.6469
26 35 32.6469
27 36 32.6469
28 30 32.6469
29 31 32.6469
30 32 32.6469
31 33 32.6469
32 34 32.6469
33 35 32.6469
34 36 32.6469
35 30 32.6469
36 31 32.6469
37 32 32.6469
38 33 32.6469
39 34 32.6469
40 35 32.6469
41 36 32.6469
42 30 32.6469
43 31 32.6469
44 32 32.6469
45 33 32.6469
46 34 32.6469
47 35 32.6469
48 36 32.6469
49 30 32.6469
50 31 32.6469
51 32 32.6469
52 33 32.6469
53 34 32.6469
54 35 32.6469
55 36 32.6469
56 30 32.6469
57 31 32.6469
58 32 32.6469
59 33 32.6469
60 34 32.6469
61 35 32.6469
62 36 32.6469
63 30 32.6469
64 31 32.6469
65 32 32.6469
66 33 32.6469
67 34 32.6469
68 35 32.6469
69 36 32.6469
70 30 32.6469
71 31 32.6469
72 32 32.6469
73 33 32.6469
74 34 32.6469
75 35 32.6469
76 36 32.6469
77 30 32.6469
78 31 32.6469
79 32 32.6469
80 33 32.6469
81 34 32.6469
82 35 32.6469
83 36 32.6469
84 30 32.6469
85 31 32.6469
86 32 32.6469
87 33 32.6469
88 34 32.6469
89 35 32.6469
90 36 32.6469
91 30 6.51507
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
set title '38% of bookings closed in the last 14 days of the period, against 10% at an even pace' font ',15' noenhanced
set xlabel 'days before the end of the plan period (0 = its last day)' noenhanced
set ylabel 'bookings closed that day (thousands of USD)' noenhanced
set xrange [91.5:-0.5]
set yrange [0:200]
set xtics 0, 7 out nomirror
set style fill solid 0.85 noborder
set boxwidth 0.8
set object 1 rectangle from first 13.5, graph 0 to first -0.5, graph 1 behind fc rgb '#edf2f7' fs solid 1.0 noborder
set label 1 'last 14 days' at first 7, graph 0.97 center tc rgb '#4a5568' noenhanced
set x2range [91.5:-0.5]
set x2tics ('n = 60' 3, 'n = 60' 10, 'n = 20' 17, 'n = 20' 24, 'n = 20' 31, 'n = 20' 38, 'n = 20' 45, 'n = 20' 52, 'n = 20' 59, 'n = 20' 66, 'n = 20' 73, 'n = 20' 80, 'n = 3' 87.5) scale 0 font ',10' textcolor rgb '#4a5568' noenhanced
set y2label 'deals with a risky promise (per week, 95% interval)' noenhanced
set y2range [0:60]
set y2tics out nomirror
set format y2 '%.0f%%'
set ytics nomirror
set label 99 '323 deals, plan periods aligned on their last day. Dashed: an even pace (each deal''s amount spread over its plan period) puts 9.6%' at screen 0.01, screen 0.077 left font ',11' tc rgb '#4a5568' noenhanced
set label 98 'of bookings in the last 14 days, not 14/91 = 15%, as annual plans (50% of bookings) spread theirs over 365 days. n: won deals in the' at screen 0.01, screen 0.051 left font ',11' tc rgb '#4a5568' noenhanced
set label 97 'week (fewer than 5: no share drawn). Not shown: 12 deals of annual plans closed more than 13 weeks before year end (8% of bookings).' at screen 0.01, screen 0.025 left font ',11' tc rgb '#4a5568' noenhanced
set bmargin 7
set key at graph 0.01, graph 0.99 top left
plot $days using 1:2 with boxes lt 1 title 'bookings per day (left axis)', \
     $days using 1:3 with lines lt 3 lw 2 dt 2 title 'at an even pace', \
     $weeks using 1:2:3:4 axes x1y2 with yerrorbars lt 2 pt 7 ps 1.6 title 'share of deals with a risky promise, weekly (right axis)', \
     $weeks using 1:2 axes x1y2 with lines lt 2 lw 2 notitle
set terminal svg size 1280,720 dynamic font ',14' noenhanced background '#ffffff'
set output 'when.svg'
replot
unset output
