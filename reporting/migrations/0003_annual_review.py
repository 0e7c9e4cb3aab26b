"""The annual report's lessons learned and its publication, frozen as a board update's."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('priorities', '0005_reporting_round'),
        ('reporting', '0002_board_update_permissions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalAnnualReview',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=10, verbose_name='state')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created')),
                ('updated_at', models.DateTimeField(blank=True, editable=False, verbose_name='updated')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published')),
                ('language', models.CharField(blank=True, max_length=10, verbose_name='language')),
                ('fingerprint', models.CharField(blank=True, help_text='SHA-256 of the published text, printed in the footer of both files.', max_length=64, verbose_name='fingerprint')),
                ('html_sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256 of the HTML')),
                ('pdf_sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256 of the PDF')),
                ('lessons', models.TextField(help_text='What the year taught: plain text, a blank line between paragraphs.', verbose_name='lessons learned')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('annual_plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='priorities.annualplan', verbose_name='annual plan')),
                ('author', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('published_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
            ],
            options={
                'verbose_name': 'historical annual report',
                'verbose_name_plural': 'historical annual reports',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='AnnualReview',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('state', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=10, verbose_name='state')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='published')),
                ('language', models.CharField(blank=True, max_length=10, verbose_name='language')),
                ('fingerprint', models.CharField(blank=True, help_text='SHA-256 of the published text, printed in the footer of both files.', max_length=64, verbose_name='fingerprint')),
                ('html', models.TextField(blank=True, verbose_name='HTML as published')),
                ('html_sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256 of the HTML')),
                ('pdf', models.BinaryField(blank=True, default=bytes, verbose_name='PDF as published')),
                ('pdf_sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256 of the PDF')),
                ('lessons', models.TextField(help_text='What the year taught: plain text, a blank line between paragraphs.', verbose_name='lessons learned')),
                ('annual_plan', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='annual_review', to='priorities.annualplan', verbose_name='annual plan')),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='author')),
                ('published_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='published by')),
            ],
            options={
                'verbose_name': 'annual report',
                'verbose_name_plural': 'annual reports',
                'ordering': ['annual_plan__start_date'],
                'abstract': False,
                'constraints': [models.CheckConstraint(condition=models.Q(('state__in', ['draft', 'published'])), name='annualreview_state_valid'), models.CheckConstraint(condition=models.Q(('state', 'draft'), models.Q(('published_at__isnull', False), ('published_by__isnull', False), models.Q(('html', ''), _negated=True), models.Q(('html_sha256', ''), _negated=True), models.Q(('pdf_sha256', ''), _negated=True), models.Q(('fingerprint', ''), _negated=True)), _connector='OR'), name='annualreview_published_is_complete')],
            },
        ),
    ]
