from spikeloom import *

A_plus = 0.074; A_minus = -0.047
mu_plus = 26.7*ms; mu_minus = -22.3*ms
tau_plus = 9.3*ms; tau_minus = 10.8*ms

G = NeuronGroup(101, '''
spike_when : second (constant)
lastspike : second  # remove when model uses refractory
''',
threshold='timestep(t, dt) == timestep(spike_when, dt)') # spike at pre-defined time
G.lastspike = -1e9*second
G.spike_when[0] = 100*ms
G.spike_when[1:] = np.linspace(0, 250, 100)*ms

S = Synapses(G, G, 'w : 1',
# the case of dt < 0
on_pre='''
lastspike_pre = t
delta_t = (lastspike_post - lastspike_pre)
w += A_minus * w * (1 + tanh((delta_t - mu_minus)/tau_minus))
''',
# the case of dt > 0
on_post='''
lastspike_post = t
delta_t = (lastspike_post - lastspike_pre)
w += A_plus * w * (1 + tanh(-(delta_t - mu_plus)/tau_plus))
''',
)
S.connect(i=0, j=np.arange(1, 101))  # Connect first neuron to all other neurons
w_init = 0.4
S.w = w_init  # initial value for weights
run(251*ms)

# Plot difference to inital value
plt.plot((G.spike_when[1:] - G.spike_when[0])/ms, S.w[:] - w_init, color='r', label=f"w = {w_init:.2f}")
plt.legend()
plt.axhline(linestyle=':', color='k')
plt.axvline(linestyle=':', color='k')
plt.show()
